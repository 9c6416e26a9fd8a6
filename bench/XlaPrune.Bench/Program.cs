using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using XlaPrune.Bench;
using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Study;

// Plain timed loops (whole steps are too long for BenchmarkDotNet's statistics to pay off);
// every figure is a ratio against a reference measured in this same run.
if (args.Contains("--soak"))
{
    return SoakRun.Run(args);
}

if (TorchStepBench.IsChild(args))
{
    return TorchStepBench.RunChild(args);
}

var root = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
var output = args.Length > 1 ? args[1] : Path.Combine(root, "docs", "benchmarks.md");
var native = Path.Combine(root, "artifacts", "native", "bin");
if (args.Contains("--tiny-execute"))
{
    // Section 3 alone, written to the output file (for working on the binding's per-call cost).
    File.WriteAllText(output, TinyExecuteBench.Run(PjrtPlugin.Load("cpu"), native));
    Console.WriteLine($"wrote {output}");
    return 0;
}

var ic = CultureInfo.InvariantCulture;
// XLAPRUNE_BENCH_SECTIONS=4,6 runs only those sections (for working on one figure).
var only = Environment.GetEnvironmentVariable("XLAPRUNE_BENCH_SECTIONS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
bool Want(string section) => only is null || only.Contains(section);
var report = new StringBuilder();
report.Append("# Benchmarks\n\nProduced by `./build.sh bench` on ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", ic)).Append(".\n\n");
report.Append(ic, $"Machine: {Environment.ProcessorCount} cores, `{CpuModel()}`, {CpuFlags()}.\n\n");

var sgemm = NativeEnvironment.Run(Path.Combine(native, "xlaprune_sgemm_bench"), "1024 5");
var sgemmGflops = JsonDocument.Parse(sgemm).RootElement.GetProperty("gflops").GetDouble();
report.Append(ic, $"oneDNN sgemm 1024³ in this run: {sgemmGflops:F1} GFLOP/s (the machine's practical fp32 reference).\n\n");

// 1 and 2: VGG-16 train step, our plugin vs TorchSharp trained as its users train it.
var plugin = PjrtPlugin.Load("cpu");
// Section 3 runs first, while this process is as fresh as the C caller's it is compared with: run after the train
// steps, the same C# calls measured 0.63 µs against 0.55-0.58 in a fresh process, while the C caller's stayed 0.44.
// Its table still goes in its place below.
var tinyExecute = Want("3") ? TinyExecuteBench.Run(plugin, native) : null;
var torchMs = new Dictionary<(double, int, int), double>();
if (Want("1"))
{
    report.Append(TrainStepBench.Run(plugin, sgemmGflops, ic, torchMs));
}

// 2c: the full-width step against oneDNN's own convolution primitives on its layer shapes (ConvLimitBench.cs).
if (Want("2c"))
{
    report.Append(ConvLimitBench.Run(plugin, native, ic));
}

// 2d: what limits each shape: convolutions against oneDNN's primitives, the rest, TorchSharp (ShapeLimitsBench.cs).
if (Want("2d"))
{
    report.Append(ShapeLimitsBench.Run(native, torchMs, ic));
}

// 3: tiny execute round trip, C# vs a native C caller on the same plugin (TinyExecuteBench.cs), measured above.
report.Append(tinyExecute);

// 4: building and serialising the full VGG-16 train step (BenchmarkDotNet).
if (Want("4"))
{
    var build = BuildBenchmarks.Run();
    report.Append("## 4. Build + serialise the full-width VGG-16 train step (batch 128), BenchmarkDotNet\n\n| | median ms | ratio |\n| --- | --- | --- |\n");
    report.Append(ic, $"| build the HLO module (builder, shape checks, autodiff) + serialise | {build.BuildAndSerializeMs:F2} | {build.BuildAndSerializeMs / build.SerializeMs:F1} × serialise |\n");
    report.Append(ic, $"| serialise a built module only (Google.Protobuf) | {build.SerializeMs:F2} | 1 |\n\n");
    report.Append("Target: ≤ 20 ms for build + serialise.\n\n");
}

// 5: step time at pruned ratios over the FLOP ratio.
if (Want("5"))
{
    report.Append("## 5. Step time at uniform pruned ratios vs the FLOP ratio (width 0.25, batch 32)\n\n| ratio | FLOPs / unpruned | step time / unpruned | time ratio / FLOP ratio |\n| --- | --- | --- | --- |\n");
    using (var profiler = new PjrtStepProfiler(plugin))
    {
        var baseSpec = Vgg16Spec.Cifar(width: 0.25);
        double? baseMs = null;
        foreach (var ratio in new[] { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            var spec = baseSpec.WithConvChannels([.. baseSpec.ConvChannels.Select(ch => Math.Max(1, (int)Math.Round(ch * (1 - ratio))))]);
            // As many steps as section 1 gives the unpruned shape (30 here): 3 steps of a 10 ms program are noise.
            var ms = profiler.Profile(spec, 32, steps: TrainStepBench.StepsFor(baseSpec, 32), warmup: 1, CancellationToken.None).StepMs.Median;
            baseMs ??= ms;
            var flopRatio = (double)spec.MacsPerImage / baseSpec.MacsPerImage;
            report.Append(ic, $"| {ratio} | {flopRatio:F3} | {ms / baseMs.Value:F3} | {ms / baseMs.Value / flopRatio:F2} |\n");
        }
    }
}

if (Want("6"))
{
    report.Append('\n');
    EngineAbBench.Append(report, Path.Combine(native, "xlaprune_engine_bench"), ic);
}

// 7: ONNX Runtime inference of pruned models against the unpruned one (OnnxInferenceBench.cs).
if (Want("7"))
{
    OnnxInferenceBench.Append(report, ic);
}

// 8: the data-parallel step against the number of devices (DevicesBench.cs).
if (Want("8"))
{
    DevicesBench.Append(report, plugin, root, ic);
}

report.Append("\nCommand: `./build.sh bench` (runs `dotnet artifacts/bin/XlaPrune.Bench/release/XlaPrune.Bench.dll <repo> docs/benchmarks.md`).\n");
// The hand-kept change log (what each change bought, with its command) survives regeneration.
const string LogHeading = "\n## Change log";
if (File.Exists(output))
{
    var previous = File.ReadAllText(output);
    var at = previous.IndexOf(LogHeading, StringComparison.Ordinal);
    if (at >= 0)
    {
        report.Append(previous[at..]);
    }
}

var temp = output + ".tmp";
File.WriteAllText(temp, report.ToString());
File.Move(temp, output, overwrite: true);
Console.WriteLine($"wrote {output}");
return 0;

static string CpuModel() => File.Exists("/proc/cpuinfo")
    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
    : "unknown";

static string CpuFlags()
{
    var flags = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "" : "";
    return flags.Contains("avx512f", StringComparison.Ordinal) ? "AVX-512" : flags.Contains("avx2", StringComparison.Ordinal) ? "AVX2 + FMA, no AVX-512" : "no AVX2";
}
