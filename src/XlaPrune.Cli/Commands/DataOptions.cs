using System.ComponentModel;
using Spectre.Console.Cli;
using XlaPrune.Models;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Cli;

/// <summary>Loading datasets and checkpoints with CLI-grade errors.</summary>
internal static class Inputs
{
    public static ImageDataset LoadDataset(string dataset, string? directory, bool train, int? limit)
    {
        try
        {
            return dataset switch
            {
                "fashion-mnist" => FashionMnist.Load(directory ?? FashionMnist.DefaultDirectory, train, limit),
                "cifar10" => Cifar10.Load(directory ?? throw new CliException(ExitCodes.Usage, "--dataset-dir is required for cifar10 (the folder of data_batch_*.bin)"), train, limit),
                "imagenet-folder" => ImageFolder.Load(Path.Combine(directory ?? throw new CliException(ExitCodes.Usage, "--dataset-dir is required for imagenet-folder (a folder with train/ and val/ class folders)"), train ? "train" : "val"), 224, limit),
                _ => throw new CliException(ExitCodes.Usage, $"--dataset: unknown dataset '{dataset}' (known: fashion-mnist, cifar10, imagenet-folder)"),
            };
        }
        catch (DatasetException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
    }

    public static (Vgg16Spec Spec, ModelWeights Weights, int EpochsDone) LoadCheckpoint(string path)
    {
        try
        {
            var (spec, weights, _, epochs) = TrainingCheckpoint.Load(path);
            return (spec, weights, epochs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInput, $"cannot read checkpoint {path}: {Output.InputReason(path, e)}", e);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
    }

    public static void EnsureWritableDirectory(string dir)
    {
        if (File.Exists(dir))
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write to {dir}: it is a file, not a directory");
        }

        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".xlaprune-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write to {dir}: {Output.OutputReason(dir, e)}", e);
        }
    }
}

internal class DatasetSettings : ModelSettings
{
    [CommandOption("--dataset <NAME>")]
    [Description("fashion-mnist (Debian's dataset-fashion-mnist, padded to 32x32), cifar10 (binary batches) or imagenet-folder (train/ and val/ class folders, 224x224).")]
    [DefaultValue("fashion-mnist")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption("--dataset-dir <DIR>")]
    [Description("Folder of the dataset files (default for fashion-mnist: /usr/share/datasets/fashion-mnist).")]
    public string? DatasetDir { get; init; }

    [CommandOption("--test-limit <N>")]
    [Description("Use only the first N test images.")]
    public int? TestLimit { get; init; }

    [CommandOption("--json")]
    [Description("Print a JSON summary.")]
    public bool Json { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        var b = base.Validate();
        return !b.Successful ? b
            : TestLimit < 1 ? Spectre.Console.ValidationResult.Error($"--test-limit must be at least 1, got {TestLimit}")
            : Spectre.Console.ValidationResult.Success();
    }
}
