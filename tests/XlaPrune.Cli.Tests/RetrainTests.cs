using System.Text.Json;
using XlaPrune.Models;

namespace XlaPrune.Cli.Tests;

/// <summary>The paper's pipeline from the command line: train, prune, retrain the pruned model, evaluate it.</summary>
[Collection(InProcessGroup.Name)]
public sealed class RetrainTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-retrain-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private JsonElement RunJson(params string[] args)
    {
        var r = InProcessCli.Run(_work, [.. args, "--json"]);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r.StdErr}");
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Prune_then_train_from_the_pruned_checkpoint_then_eval_keeps_the_pruned_model()
    {
        var data = TinyDataset.Create(Path.Combine(_work, "data"));
        // No --in-channels: the model follows the dataset (Fashion-MNIST is one channel).
        var trained = RunJson("train", "--width", "0.0625", "--limit", "32", "--test-limit", "16", "--batch", "16", "--dataset-dir", data, "--out", "base.safetensors");
        Assert.Equal("vgg16-cifar w=0.0625 in=1 size=32 classes=10 [4,4,M,8,8,M,16,16,16,M,32,32,32,M,32,32,32,M]", trained.GetProperty("model").GetString());

        var pruned = RunJson("prune", "--checkpoint", "base.safetensors", "--method", "l1", "--ratio", "0.5", "--dataset", "none", "--out", "p");
        var channels = pruned.GetProperty("conv_channels").EnumerateArray().Select(c => c.GetInt32()).ToArray();
        Assert.True(channels.Sum() < 4 + 4 + 8 + 8 + (3 * 16) + (6 * 32), string.Join(",", channels));

        var retrained = RunJson("train", "--checkpoint", Path.Combine("p", "pruned.safetensors"), "--limit", "32", "--test-limit", "16", "--batch", "16", "--dataset-dir", data, "--out", "retrained.safetensors");
        var evaluated = RunJson("eval", "--checkpoint", "retrained.safetensors", "--test-limit", "16", "--dataset-dir", data);

        // The retrained model is the pruned one: same channels, same parameter count, in all three outputs.
        Assert.Equal(pruned.GetProperty("params").GetInt64(), retrained.GetProperty("params").GetInt64());
        Assert.Equal(pruned.GetProperty("params").GetInt64(), evaluated.GetProperty("params").GetInt64());
        Assert.Equal(retrained.GetProperty("model").GetString(), evaluated.GetProperty("model").GetString());
        var spec = Vgg16Spec.FromJson(Checkpoint.Load(Path.Combine(_work, "retrained.safetensors")).Metadata["spec"]);
        Assert.Equal(channels, spec.ConvChannels);
        Assert.Equal(1, evaluated.GetProperty("epochs_trained").GetInt32());

        // Retraining changed the weights it started from, and eval reports the accuracy train measured.
        var before = Checkpoint.Load(Path.Combine(_work, "p", "pruned.safetensors")).Tensors;
        var after = Checkpoint.Load(Path.Combine(_work, "retrained.safetensors")).Tensors;
        var name = before.Keys.First(k => k.Contains("conv", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal));
        Assert.Equal(before[name].Shape, after[name].Shape);
        Assert.NotEqual(before[name].Data, after[name].Data);
        Assert.Equal(retrained.GetProperty("test_accuracy").GetDouble(), evaluated.GetProperty("test_accuracy").GetDouble(), 12);
    }

    [Fact]
    public void Train_with_a_checkpoint_refuses_model_options()
    {
        var r = InProcessCli.Run(_work, "train", "--checkpoint", "any.safetensors", "--width", "0.5");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("xlaprune: --checkpoint: the model comes from the checkpoint; drop --variant, --width, --in-channels, --classes and --image-size\n", r.StdErr);
    }

    [Fact]
    public void A_diverging_run_still_prints_valid_json()
    {
        // lr 1e9 drives the loss to NaN or infinity; JSON has no spelling for them, so they print as null.
        var data = TinyDataset.Create(Path.Combine(_work, "data"));
        var r = RunJson("train", "--width", "0.03125", "--limit", "16", "--test-limit", "8", "--batch", "8", "--lr", "1e9", "--dataset-dir", data, "--out", "nan.safetensors");
        var loss = r.GetProperty("last_epoch_loss");
        Assert.True(loss.ValueKind == JsonValueKind.Null || double.IsFinite(loss.GetDouble()), loss.ToString());
        Assert.True(File.Exists(Path.Combine(_work, "nan.safetensors")));
    }
}
