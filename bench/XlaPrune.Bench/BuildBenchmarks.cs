using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Programs;


namespace XlaPrune.Bench;

/// <summary>
/// Section 4 of the bench: building and serialising the full-width VGG-16 train step, measured
/// by BenchmarkDotNet (in process, short run) against serialising an already built module.
/// </summary>
public class BuildBenchmarks
{
    private HloModule _built = null!;

    [GlobalSetup]
    public void Setup() => _built = Vgg16Programs.TrainStep(Vgg16Spec.Cifar(), 128, format: DataFormat.Nchw).Module;

    [Benchmark]
    public byte[] BuildAndSerialize() => Vgg16Programs.TrainStep(Vgg16Spec.Cifar(), 128, format: DataFormat.Nchw).Module.ToProtoBytes();

    [Benchmark(Baseline = true)]
    public byte[] SerializeOnly() => _built.ToProtoBytes();

    /// <summary>Runs both benchmarks; medians in milliseconds.</summary>
    public static (double BuildAndSerializeMs, double SerializeMs) Run()
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), $"xlaprune-bdn-{Environment.ProcessId}"))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<BuildBenchmarks>(config);
        double Median(string name) => summary.Reports
            .First(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == name)
            .ResultStatistics?.Median / 1e6 ?? throw new InvalidOperationException($"BenchmarkDotNet produced no result for {name}");
        return (Median(nameof(BuildAndSerialize)), Median(nameof(SerializeOnly)));
    }
}
