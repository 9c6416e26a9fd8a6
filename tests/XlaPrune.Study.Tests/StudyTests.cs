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
            ["method", "ratio", "seed", "achieved_ratio", "conv_channels", "accuracy", "params", "flops", "step_ms", "compiled_memory", "logical_bytes", "tpu_padded_bytes", "tpu_padded_bytes_min", "tpu_padded_bytes_max", "train_seconds"],
            row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["median", "p10", "p90"], row.GetProperty("step_ms").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "peak_bytes"], row.GetProperty("compiled_memory").EnumerateObject().Select(p => p.Name));
        var report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("l1-reload: pruning 50% of the channels changes accuracy from 0.9000 to 0.8000, removes 50% of the FLOPs and 50% of the train step's logical bytes; modelled TPU-padded bytes fall by 0% under the layouts public TPU evidence supports, and by 0% to 25% if every tensor took its fewest- or most-padded candidate (docs/layout.md); the measured step time falls by 50%.", report, StringComparison.Ordinal);
        foreach (var png in ReportWriter.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(560, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
    }

    [Fact]
    public void Tiny_study_runs_resumes_and_skips_finished_cells()
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
        var trainedFirst = counting.Calls;
        // Remove one finished cell: the rerun retrains only that one, after reloading the finished baseline.
        File.Delete(Path.Combine(_dir, "cells", StudyRunner.CellId("l1-scratch", 0.5, 0) + ".json"));
        var second = new StudyRunner(options, counting, profiler: null).Run();

        Assert.Equal(4, first.Count);
        Assert.Equal(1 + 4, trainedFirst); // one baseline, four retrains
        Assert.Equal(trainedFirst + 2, counting.Calls); // the baseline resumed from its checkpoint (no epochs run), one retrain
        Assert.Equal(first.Select(c => c.Accuracy).Take(3), second.Select(c => c.Accuracy).Take(3));
        Assert.All(first, c => Assert.InRange(c.Accuracy, 0, 1));
        Assert.True(first.Single(c => c.Method == "l1-scratch" && c.Ratio == 0.5).Params < first.Single(c => c.Method == "l1-scratch" && c.Ratio == 0).Params);
        Assert.True(File.Exists(Path.Combine(_dir, "report.md")));
    }

    private sealed class CountingTrainer : IModelTrainer
    {
        private readonly TorchModelTrainer _inner = new();

        public int Calls { get; private set; }

        public TrainResult Train(Vgg16Spec spec, ModelWeights initial, Torch.Data.ImageDataset train, Torch.Data.ImageDataset test, TrainOptions options,
            IProgress<TrainProgress>? progress, CancellationToken cancellationToken)
        {
            Calls++;
            return _inner.Train(spec, initial, train, test, options, progress, cancellationToken);
        }
    }
}
