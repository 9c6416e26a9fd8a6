using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Torch;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune eval</c>: test accuracy of a checkpoint.</summary>
internal sealed class EvalCommand : Command<EvalCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <FILE>")]
        [Description("Checkpoint to evaluate (from train or prune).")]
        [InputFile]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--dataset <NAME>")]
        [Description("Test set: fashion-mnist, cifar10 or imagenet-folder.")]
        [DefaultValue("fashion-mnist")]
        public string Dataset { get; init; } = "fashion-mnist";

        [CommandOption("--dataset-dir <DIR>")]
        [Description("Folder of the dataset files (default for fashion-mnist: /usr/share/datasets/fashion-mnist).")]
        public string? DatasetDir { get; init; }

        [CommandOption("--test-limit <N>")]
        [Description("Use only the first N test images.")]
        [Range(1, int.MaxValue)]
        public int? TestLimit { get; init; }

        [CommandOption("--json")]
        [Description("Print a JSON summary.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint is required")
            : TestLimit < 1 ? ValidationResult.Error($"--test-limit must be at least 1, got {TestLimit}")
            : ValidationResult.Success();
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
