using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console.Cli;
using XlaPrune.Models;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Cli;

/// <summary>Loading datasets and checkpoints with CLI-grade errors.</summary>
internal static class Inputs
{
    // Dataset registry parameters, as its ArgumentExceptions name them, to the options that set them.
    private static readonly Dictionary<string, string> s_datasetOptions = new(StringComparer.Ordinal)
    {
        ["name"] = "--dataset",
        ["directory"] = "--dataset-dir",
        ["limit"] = "--limit",
    };

    /// <summary>Loads a split through the library's one dataset registry; image folders are resized to <paramref name="imageSize"/>.</summary>
    public static ImageDataset LoadDataset(string dataset, string? directory, bool train, int? limit, int imageSize)
    {
        try
        {
            return Datasets.Load(dataset, directory, train, limit, imageSize);
        }
        catch (ArgumentException e)
        {
            throw CliException.FromArgument(e, s_datasetOptions);
        }
        catch (DatasetException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
    }

    /// <summary>The shape of a dataset's images, or a usage error naming --dataset.</summary>
    public static DatasetShape DatasetShape(string dataset)
    {
        try
        {
            return Datasets.Shape(dataset);
        }
        catch (ArgumentException e)
        {
            throw CliException.FromArgument(e, s_datasetOptions);
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
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: {CliException.FromArgument(e, new Dictionary<string, string>()).Message}", e);
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
            // The probe's own name never appears: the reason is about the folder.
            var reason = e is UnauthorizedAccessException ? "permission denied" : Output.OutputReason(dir, e).Replace(Path.Combine(dir, $".xlaprune-write-test-{Environment.ProcessId}"), dir, StringComparison.Ordinal);
            throw new CliException(ExitCodes.BadOutput, $"cannot write to {dir}: {reason}", e);
        }
    }
}

/// <summary>
/// The options of the commands that measure a model on a test set (train, eval, prune): --dataset-dir, --test-limit and
/// --json. Spectre.Console.Cli binds options only from the settings class and its chain of base classes, and train's chain
/// must hold the model options while eval's and prune's must not, so no one base class can hold these three for all of
/// them: <see cref="DatasetSettings"/> and <see cref="CheckpointSettings"/> each declare the properties, and their names,
/// help and check live here once.
/// </summary>
internal static class TestSetOption
{
    public const string DatasetDir = "--dataset-dir <DIR>";
    public const string DatasetDirDescription = "Folder of the dataset files (default for fashion-mnist: /usr/share/datasets/fashion-mnist).";
    public const string TestLimit = "--test-limit <N>";
    public const string TestLimitDescription = "Use only the first N test images.";
    public const string Json = "--json";
    public const string JsonDescription = "Print a JSON summary.";

    /// <summary>An error naming --test-limit, or success.</summary>
    public static Spectre.Console.ValidationResult Check(int? testLimit) => testLimit < 1
        ? Spectre.Console.ValidationResult.Error($"--test-limit must be at least 1, got {testLimit}")
        : Spectre.Console.ValidationResult.Success();
}

internal class DatasetSettings : ModelSettings
{
    [CommandOption("--dataset <NAME>")]
    [Description("fashion-mnist (Debian's dataset-fashion-mnist, 1 channel, padded to 32x32), cifar10 (binary batches, 3 channels) or imagenet-folder (train/ and val/ class folders, resized to --image-size).")]
    [DefaultValue("fashion-mnist")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption(TestSetOption.DatasetDir)]
    [Description(TestSetOption.DatasetDirDescription)]
    public string? DatasetDir { get; init; }

    [CommandOption(TestSetOption.TestLimit)]
    [Description(TestSetOption.TestLimitDescription)]
    [Range(1, int.MaxValue)]
    public int? TestLimit { get; init; }

    [CommandOption(TestSetOption.Json)]
    [Description(TestSetOption.JsonDescription)]
    public bool Json { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        var b = base.Validate();
        return b.Successful ? TestSetOption.Check(TestLimit) : b;
    }
}

/// <summary>Options of the commands that read a checkpoint and measure it on a test set: eval and prune.</summary>
internal class CheckpointSettings : CommandSettings
{
    [CommandOption("--checkpoint <FILE>")]
    [Description("Checkpoint to read (safetensors written by train or prune).")]
    [InputFile]
    public string Checkpoint { get; init; } = "";

    [CommandOption(TestSetOption.DatasetDir)]
    [Description(TestSetOption.DatasetDirDescription)]
    public string? DatasetDir { get; init; }

    [CommandOption(TestSetOption.TestLimit)]
    [Description(TestSetOption.TestLimitDescription)]
    [Range(1, int.MaxValue)]
    public int? TestLimit { get; init; }

    [CommandOption(TestSetOption.Json)]
    [Description(TestSetOption.JsonDescription)]
    public bool Json { get; init; }

    public override Spectre.Console.ValidationResult Validate() => string.IsNullOrEmpty(Checkpoint)
        ? Spectre.Console.ValidationResult.Error("--checkpoint is required")
        : TestSetOption.Check(TestLimit);
}
