using XlaPrune.Models;

namespace XlaPrune.Cli.Tests;

/// <summary>
/// Input files for the bad-input tests, made once: a tiny trained checkpoint (VGG-16 at 1/32 width on
/// 64 Fashion-MNIST images), its plan, and broken or mismatched variants of both.
/// </summary>
public sealed class BadInputFixture : IDisposable
{
    public const string ModelOptions = "--in-channels 1 --width 0.03125";

    public BadInputFixture()
    {
        Inputs = Directory.CreateTempSubdirectory("xlaprune-bad-inputs-").FullName;
        var train = CliRunner.Run("train", "--in-channels", "1", "--width", "0.03125", "--limit", "64", "--test-limit", "32", "--batch", "32", "--out", Checkpoint);
        Assert.True(train.ExitCode == 0, train.StdErr);
        var prune = CliRunner.Run("prune", "--checkpoint", Checkpoint, "--ratio", "0.5", "--dataset", "none", "--out", Path.Combine(Inputs, "pruned"));
        Assert.True(prune.ExitCode == 0, prune.StdErr);
        File.Move(Path.Combine(Inputs, "pruned", "plan.json"), Plan);
        Directory.Delete(Path.Combine(Inputs, "pruned"), recursive: true);

        var bytes = File.ReadAllBytes(Checkpoint);
        File.WriteAllBytes(Truncated, bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(Garbage, [.. Enumerable.Range(0, 300).Select(i => (byte)((i * 37) + 11))]);
        File.WriteAllText(BadJson, "{\"model\": ");
        File.WriteAllText(AFile, "not a directory");
        // Tensors of the 1/32-width model under the spec of the 1/16-width one.
        var (tensors, metadata) = Models.Checkpoint.Load(Checkpoint);
        metadata["spec"] = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.0625).ToJson();
        Models.Checkpoint.Save(Mismatched, tensors, metadata);
        // A valid checkpoint of a model for 3-channel images.
        var rgb = Vgg16Spec.Cifar(inputChannels: 3, classes: 10, width: 0.03125);
        var rgbWeights = ModelWeights.Initialize(rgb, 0);
        Models.Checkpoint.Save(RgbCheckpoint, rgbWeights.Names.Select(n => KeyValuePair.Create(n, rgbWeights[n])),
            new Dictionary<string, string> { ["format"] = "xlaprune-checkpoint-1", ["spec"] = rgb.ToJson(), ["epochs_done"] = "0" });
        // A plan of the same shape for a 3-channel model.
        File.WriteAllText(OtherPlan, File.ReadAllText(Plan).Replace("\"input_channels\": 1", "\"input_channels\": 3", StringComparison.Ordinal));
        Assert.NotEqual(File.ReadAllText(Plan), File.ReadAllText(OtherPlan));
        Before = Listing(Inputs);
    }

    public string Inputs { get; }

    public string Checkpoint => Path.Combine(Inputs, "ck.safetensors");

    public string Truncated => Path.Combine(Inputs, "truncated.safetensors");

    public string Garbage => Path.Combine(Inputs, "garbage.bin");

    public string Mismatched => Path.Combine(Inputs, "mismatched.safetensors");

    public string RgbCheckpoint => Path.Combine(Inputs, "rgb.safetensors");

    public string Plan => Path.Combine(Inputs, "plan.json");

    public string OtherPlan => Path.Combine(Inputs, "plan-3ch.json");

    public string BadJson => Path.Combine(Inputs, "bad.json");

    /// <summary>A plain file, used as the parent of outputs that therefore cannot be written.</summary>
    public string AFile => Path.Combine(Inputs, "afile");

    public IReadOnlyList<string> Before { get; }

    public static IReadOnlyList<string> Listing(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(Inputs, recursive: true);
}

/// <summary>Asserts of the bad-input contract: the exit code, exactly one stderr line, nothing written.</summary>
internal static class Refusal
{
    public static void Assert(CliRunner.Result r, int exitCode, string line)
    {
        Xunit.Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}; stderr: {r.StdErr}");
        Xunit.Assert.Equal("xlaprune: " + line + "\n", r.StdErr);
    }

    public static void AssertStartsWith(CliRunner.Result r, int exitCode, string start)
    {
        Xunit.Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}; stderr: {r.StdErr}");
        Xunit.Assert.StartsWith("xlaprune: " + start, r.StdErr, StringComparison.Ordinal);
        Xunit.Assert.Single(r.StdErr.TrimEnd('\n').Split('\n'));
    }
}
