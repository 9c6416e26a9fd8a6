using System.Globalization;
using System.Text;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Study;

namespace XlaPrune.Bench;

/// <summary>
/// Sections 1-2 of the bench: the VGG-16-BN train step on our CPU plugin against TorchSharp trained
/// as its users train it (<see cref="TorchStepBench"/>), at the study's shapes, idle and with a
/// second process keeping one core busy.
/// </summary>
internal static class TrainStepBench
{
    private const double Target = 0.8;

    /// <summary>Seconds of timed steps to aim for per shape and side; at least 3 and at most 30 steps.</summary>
    private const double BudgetSeconds = 4;

    /// <summary>The study's shapes: widths 1, 0.5, 0.25 on CIFAR's 3 channels, 0.125 on Fashion-MNIST's 1.</summary>
    private static readonly (double Width, int Channels)[] Widths = [(1.0, 3), (0.5, 3), (0.25, 3), (0.125, 1)];

    /// <summary>Rounds of section 1; each times every side for the shape's steps.</summary>
    private const int Rounds = 3;

    /// <summary>Shapes timed again while a busy loop holds one core.</summary>
    private static readonly (double Width, int Channels, int Batch)[] LoadedShapes = [(0.125, 1, 128), (0.25, 3, 32)];

    /// <summary>The study's eight shapes, widest first.</summary>
    internal static IEnumerable<(double Width, int Channels, int Batch)> Shapes() =>
        Widths.SelectMany(w => Batches.Select(b => (w.Width, w.Channels, b)));

    private static readonly int[] Batches = [32, 128];

    /// <summary>Writes sections 1-2b; <paramref name="torchMs"/> gets TorchSharp's median step per shape, for section 2d.</summary>
    public static string Run(PjrtPlugin plugin, double sgemmGflops, CultureInfo ic, IDictionary<(double, int, int), double> torchMs)
    {
        var report = new StringBuilder();
        report.Append("## 1-2. VGG-16-BN train step (32x32 images, 10 classes): our CPU plugin vs TorchSharp as users train\n\n");
        report.Append("| width | in ch | batch | rounds × steps | plugin ms (median, NHWC) | plugin NCHW ms | TorchSharp ms (median) | plugin / TorchSharp | plugin GFLOP/s | / sgemm |\n");
        report.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        var met = 0;
        var shapes = 0;
        using (var profiler = new PjrtStepProfiler(plugin))
        using (var nchw = new PjrtStepProfiler(plugin, format: DataFormat.Nchw))
        {
            foreach (var (width, channels, batch) in Shapes())
            {
                var spec = Vgg16Spec.Cifar(inputChannels: channels, width: width);
                var steps = StepsFor(spec, batch);
                // Rounds alternate the three sides, so a slow minute of the machine shifts them alike; each side's
                // figure is the median of its round medians.
                var (pluginRounds, channelsFirst, torch) = (new List<double>(), new List<double>(), new List<double>());
                double flops = 0;
                for (var round = 0; round < Rounds; round++)
                {
                    var p = profiler.Profile(spec, batch, steps, warmup: 1, CancellationToken.None);
                    flops = p.Flops;
                    pluginRounds.Add(p.StepMs.Median);
                    channelsFirst.Add(nchw.Profile(spec, batch, steps, warmup: 1, CancellationToken.None).StepMs.Median);
                    torch.Add(TorchStepBench.Measure(spec, batch, steps, warmup: 2, BudgetSeconds).Median);
                }

                var (pluginMs, nchwMs, torchMedian) = (Median(pluginRounds), Median(channelsFirst), Median(torch));
                torchMs[(width, channels, batch)] = torchMedian;
                var ratio = pluginMs / torchMedian;
                var gflops = flops / pluginMs / 1e6;
                shapes++;
                met += ratio <= Target ? 1 : 0;
                report.Append(ic, $"| {width} | {channels} | {batch} | {Rounds} × {steps} | {pluginMs:F1} | {nchwMs:F1} | {torchMedian:F1} | {ratio:F2} ({(ratio <= Target ? "met" : "not met")}) | {gflops:F1} | {gflops / sgemmGflops:F2} |\n");
                Console.WriteLine(string.Create(ic, $"train step w={width} c={channels} b={batch}: plugin {pluginMs:F1} ms (NCHW {nchwMs:F1}), TorchSharp {torchMedian:F1} ms, ratio {ratio:F2} (rounds: plugin {string.Join('/', pluginRounds.Select(x => x.ToString("F1", ic)))}, TorchSharp {string.Join('/', torch.Select(x => x.ToString("F1", ic)))})"));
            }

            report.Append(ic, $"\nTarget: plugin / TorchSharp ≤ {Target} at every shape; met at {met} of {shapes}.\n");
            report.Append("The plugin runs the program the study runs: NHWC activations and HWIO kernels, the default data format (and\n");
            report.Append("the one TPUs want); the NCHW column is the same step in PyTorch's order, for comparison. TorchSharp runs NCHW,\n");
            report.Append("its own order, as a user trains: module and optimizer created once, the batch already a tensor, SGD with\n");
            report.Append("momentum 0.9 updating in place (the project's `SgdMomentum`: the same in-place libtorch kernels as\n");
            report.Append("`optim.SGD`, without its implicit Scalar temporaries), 2 warm-up steps excluded, one intra-op thread per core\n");
            report.Append("(as many as the plugin's OpenMP team), in a child process with the user's environment. The plugin runs with\n");
            report.Append("the passive OpenMP wait policy its loader sets, 1 warm-up step excluded, buffers donated and fed back. Steps\n");
            report.Append(ic, $"per shape and round: plugin about {BudgetSeconds} s of work estimated from the FLOPs, 3 to 30; TorchSharp as many, or\n");
            report.Append(ic, $"fewer once 3 have run and {BudgetSeconds} s have passed. {Rounds} rounds alternate plugin NHWC, plugin NCHW and TorchSharp;\n");
            report.Append("each figure is the median of its side's round medians. `ReferenceStep` (a new module and\n");
            report.Append("copies in and out every step) is the numerical reference only and is not timed. GFLOP/s counts 2 flops per\n");
            report.Append("multiply-add of the convolutions and dots plus one per element-wise result (the plugin's cost analysis).\n\n");

            report.Append(UnderLoad(profiler, ic));
        }

        return report.ToString();
    }

    private static string UnderLoad(PjrtStepProfiler profiler, CultureInfo ic)
    {
        var report = new StringBuilder();
        report.Append("## 2b. Under load: a second process keeps one core busy\n\n");
        report.Append("| width | in ch | batch | plugin idle ms | plugin loaded ms | plugin slowdown | TorchSharp idle ms | TorchSharp loaded ms | TorchSharp slowdown | slowdown plugin / TorchSharp |\n");
        report.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var (width, channels, batch) in LoadedShapes)
        {
            var spec = Vgg16Spec.Cifar(inputChannels: channels, width: width);
            var steps = StepsFor(spec, batch);
            var pluginIdle = profiler.Profile(spec, batch, steps, warmup: 1, CancellationToken.None).StepMs.Median;
            var torchIdle = TorchStepBench.Measure(spec, batch, steps, warmup: 2, BudgetSeconds).Median;
            double pluginLoaded, torchLoaded;
            TimeSpan busyCpu;
            using (var busy = new BusyCore())
            {
                pluginLoaded = profiler.Profile(spec, batch, steps, warmup: 1, CancellationToken.None).StepMs.Median;
                torchLoaded = TorchStepBench.Measure(spec, batch, steps, warmup: 2, BudgetSeconds).Median;
                busyCpu = busy.CpuTime;
            }

            var plugin = pluginLoaded / pluginIdle;
            var torch = torchLoaded / torchIdle;
            report.Append(ic, $"| {width} | {channels} | {batch} | {pluginIdle:F1} | {pluginLoaded:F1} | {plugin:F2} | {torchIdle:F1} | {torchLoaded:F1} | {torch:F2} | {plugin / torch:F2} ({(plugin <= torch ? "met" : "not met")}) |\n");
            Console.WriteLine(string.Create(ic, $"under load w={width} c={channels} b={batch}: plugin x{plugin:F2}, TorchSharp x{torch:F2} (busy loop used {busyCpu.TotalSeconds:F1} s CPU)"));
        }

        report.Append("\nTarget: slowdown plugin / TorchSharp ≤ 1 (the plugin slows by no more than TorchSharp under the same load).\n");
        report.Append("Each side is timed idle and then loaded back to back; the load is `sh -c 'while :; do :; done'`.\n\n");
        return report.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Timed steps for about <see cref="BudgetSeconds"/> at a conservative 30 GFLOP/s (forward + backward ≈ 3x forward).</summary>
    internal static int StepsFor(Vgg16Spec spec, int batch)
    {
        var estimatedSeconds = 3.0 * spec.FlopsPerImage * batch / 30e9;
        return (int)Math.Clamp(Math.Round(BudgetSeconds / estimatedSeconds), 3, 30);
    }
}
