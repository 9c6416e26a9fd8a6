using System.Buffers.Binary;
using System.Text.Json;
using XlaPrune.Models;
using XlaPrune.Study;
using XlaPrune.Torch;

namespace XlaPrune.Study.Tests;

public sealed class StudyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-study-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Percentiles_interpolate_between_order_statistics()
    {
        var t = StepTimes.From([5, 1, 4, 2, 3, 10, 6, 7, 9, 8, 11]);

        Assert.Equal(6, t.Median);
        Assert.Equal(2, t.P10);
        Assert.Equal(10, t.P90);
        Assert.Equal(1.9, StepTimes.Percentile([1, 2, 3, 4], 0.3), 12);
    }

    private static CellResult Cell(string method, double ratio, double accuracy, double? stepMs) => new()
    {
        Method = method,
        Ratio = ratio,
        Seed = 0,
        AchievedRatio = ratio,
        ConvChannels = [.. Vgg16Spec.Cifar(width: 0.125).ConvChannels.Select(c => Math.Max(1, (int)(c * (1 - ratio))))],
        Accuracy = accuracy,
        Params = (long)(1000 * (1 - ratio)),
        Flops = (long)(2000 * (1 - ratio)),
        StepMs = stepMs is { } s ? new StepTimes(s, s - 1, s + 1) : null,
        CompiledMemory = stepMs is null ? null : new MemoryFigures(100, 50, 25, 40, 175),
        LogicalBytes = (long)(4000 * (1 - ratio)),
        TpuPaddedBytes = 8000,
        TpuPaddedBytesMin = (long)(6000 * (1 - (ratio / 2))),
        TpuPaddedBytesMax = 8000,
    };

    [Fact]
    public void Report_writes_every_file_with_exact_csv_and_json_keys()
    {
        CellResult[] cells = [Cell("l1-reload", 0.5, 0.8, 10), Cell("l1-reload", 0, 0.9, 20), Cell("slimming-reload", 0.5, 0.85, null)];
        var context = new ReportContext("test study", Vgg16Spec.Cifar(width: 0.125), 64, new PluginIdentity("cpu", "XlaPrune CPU 0.1.0"), ["note one"]);

        ReportWriter.Write(_dir, context, cells);

        foreach (var f in ReportWriter.Files)
        {
            Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        }

        var csv = File.ReadAllLines(Path.Combine(_dir, "results.csv"));
        Assert.Equal(ReportWriter.CsvHeader, csv[0]);
        Assert.StartsWith("l1-reload,0,0,0.0000,0.9000,1000,2000,20.000,19.000,21.000,175,25,4000,8000,\"8 8 16", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("slimming-reload,0.5,0,0.5000,0.8500,500,1000,,,,,,2000,8000,", csv[3], StringComparison.Ordinal);
        var row = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "results.json"))).RootElement[0];
        Assert.Equal(
            ["method", "ratio", "seed", "achieved_ratio", "conv_channels", "accuracy", "params", "flops", "step_ms", "compiled_memory", "logical_bytes", "tpu_padded_bytes", "tpu_padded_bytes_min", "tpu_padded_bytes_max", "train_seconds", "compiled_for_topology"],
            row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["median", "p10", "p90"], row.GetProperty("step_ms").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "peak_bytes"], row.GetProperty("compiled_memory").EnumerateObject().Select(p => p.Name));
        var report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        // One seed: every claim is inconclusive, and says why; tables carry the source of each number.
        Assert.Contains("| C2: Reloading the surviving weights beats training the pruned network from scratch. | **inconclusive** | the study needs l1-reload and l1-scratch at the same pruned ratios and seeds |", report, StringComparison.Ordinal);
        Assert.Contains("| C5: Memory and step time fall with the pruned ratio, but not linearly. | **inconclusive** | slimming-reload: logical train-step bytes (modelled): the study needs ratio 0 and a pruned ratio; step time: not measured |", report, StringComparison.Ordinal);
        Assert.Contains("| l1-reload | 0.50 | 1 | 50.0 % | 0.8000 | 500 | 10.0 (9.0–11.0) | 0.0 | 0.0 | 0.0 |", report, StringComparison.Ordinal);
        Assert.Contains("step ms median, p10–p90 (measured on plugin cpu)", report, StringComparison.Ordinal);
        Assert.Contains("logical MiB (modelled)", report, StringComparison.Ordinal);
        foreach (var png in ReportWriter.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            // The memory figure has its legend beside the data, in 420 more pixels.
            Assert.Equal(png == "memory_vs_ratio.png" ? 1320 : 900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(560, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
    }

    [Fact]
    public void Tiny_study_shares_each_seeds_original_gives_scratch_the_same_budget_and_resumes()
    {
        var options = StudyOptions.Quick(_dir) with
        {
            Model = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 32),
            Methods = ["slimming-reload", "l1-scratch"],
            Ratios = [0, 0.5],
            TrainLimit = 256,
            TestLimit = 128,
            BaselineEpochs = 1,
            RetrainEpochs = 1,
            ProfileBatch = 8,
        };
        var counting = new CountingTrainer();

        var first = new StudyRunner(options, counting, profiler: null).Run();
        var epochsFirst = counting.Epochs.ToList();
        // Remove one finished cell: the rerun retrains only that one, after reloading the finished baseline.
        File.Delete(Path.Combine(_dir, "cells", StudyRunner.CellId("l1-scratch", 0.5, 0) + ".json"));
        var second = new StudyRunner(options, counting, profiler: null).Run();

        // One original (1 epoch), slimming-reload retrained 1 epoch, l1-scratch trained baseline + retrain = 2 epochs;
        // ratio 0 trains nothing.
        Assert.Equal([1, 1, 2], epochsFirst);
        Assert.Equal([1, 1, 2, 1, 2], counting.Epochs); // rerun: the original resumed from its checkpoint, then l1-scratch again
        Assert.Equal(4, first.Count);
        Assert.Equal(first.Select(c => c.Accuracy).Take(3), second.Select(c => c.Accuracy).Take(3));

        // Every accuracy is what its stored model scores on the 128 test images; ratio 0 is the original itself.
        var test = Torch.Data.FashionMnist.Load(Torch.Data.FashionMnist.DefaultDirectory, train: false, limit: 128);
        double Score(string checkpoint)
        {
            var (spec, weights, _, _) = Models.TrainingCheckpoint.Load(Path.Combine(_dir, "checkpoints", checkpoint + ".safetensors"));
            return Evaluator.Accuracy(spec, weights, test);
        }

        var original = Score("baseline_s0");
        Assert.All(first.Where(c => c.Ratio == 0), c => Assert.Equal(original, c.Accuracy));
        Assert.All(first.Where(c => c.Ratio == 0), c => Assert.Equal(options.Model.ConvChannels, c.ConvChannels));
        foreach (var c in first.Where(c => c.Ratio > 0))
        {
            Assert.Equal(Score(StudyRunner.CellId(c.Method, c.Ratio, c.Seed)), c.Accuracy);
            Assert.Equal(0, Math.Round(c.Accuracy * 128) - (c.Accuracy * 128), 9); // a count of the 128 images
        }

        Assert.True(first.Single(c => c.Method == "l1-scratch" && c.Ratio == 0.5).Params < first.Single(c => c.Method == "l1-scratch" && c.Ratio == 0).Params);
        // l1 prunes per layer by default: every layer above its floor loses half of its channels.
        Assert.Equal([1, 1, 2, 2, 4, 4, 4, 8, 8, 8, 8, 8, 8], first.Single(c => c.Method == "l1-scratch" && c.Ratio == 0.5).ConvChannels);
        Assert.Contains("| C1: VGG-16 prunes about 30 % of its channels with no accuracy loss. | **inconclusive** | slimming-reload: one seed gives no interval",
            File.ReadAllText(Path.Combine(_dir, "report.md")), StringComparison.Ordinal);
    }

    private sealed class CountingTrainer : IModelTrainer
    {
        private readonly TorchModelTrainer _inner = new();

        public List<int> Epochs { get; } = [];

        public TrainResult Train(Vgg16Spec spec, ModelWeights initial, Torch.Data.ImageDataset train, Torch.Data.ImageDataset test, TrainOptions options,
            IProgress<TrainProgress>? progress, CancellationToken cancellationToken)
        {
            Epochs.Add(options.Epochs);
            return _inner.Train(spec, initial, train, test, options, progress, cancellationToken);
        }
    }
}
