using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Torch;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune eval</c>: test accuracy of a checkpoint.</summary>
internal sealed class EvalCommand : Command<EvalCommand.Settings>
{
    internal sealed class Settings : CheckpointSettings
    {
        [CommandOption("--dataset <NAME>")]
        [Description("Test set: fashion-mnist, cifar10 or imagenet-folder.")]
        [DefaultValue("fashion-mnist")]
        public string Dataset { get; init; } = "fashion-mnist";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (spec, weights, epochs) = Inputs.LoadCheckpoint(settings.Checkpoint);
        var test = Inputs.LoadDataset(settings.Dataset, settings.DatasetDir, train: false, settings.TestLimit, spec.ImageSize);
        if (test.Channels != spec.InputChannels || test.Size != spec.ImageSize)
        {
            throw new CliException(ExitCodes.BadInput,
                $"checkpoint {settings.Checkpoint} is for {spec.InputChannels}x{spec.ImageSize}x{spec.ImageSize} images, {test.Name} has {test.Channels}x{test.Size}x{test.Size}");
        }

        var accuracy = Evaluator.Accuracy(spec, weights, test);
        if (settings.Json)
        {
            Output.PrintJson(new { test_accuracy = accuracy, @params = spec.ParameterCount, flops = spec.FlopsPerImage, epochs_trained = epochs, model = spec.Describe() });
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"{spec.Describe()}: test accuracy {accuracy:F4} on {test.Count} images of {test.Name}");
        }

        return ExitCodes.Success;
    }
}
