using System.Globalization;
using System.Text;
using System.Text.Json;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Study;

namespace XlaPrune.Bench;

/// <summary>
/// Section 2c: the practical limit of the full-width train step's convolutions on this machine. oneDNN's own
/// forward, backward-data and backward-weights primitives (native/bench/conv_limit_bench.cc), timed on the 13
/// layer shapes of VGG-16 in the layouts oneDNN prefers, are summed over the passes one train step needs; the
/// plugin's whole step, timed in the same run, is set against that sum.
/// </summary>
internal static class ConvLimitBench
{
    private const double Target = 0.9;

    private const int Repeats = 5;

    private static readonly int[] Batches = [32, 128];

    public static string Run(PjrtPlugin plugin, string nativeBin, CultureInfo ic)
    {
        var spec = Vgg16Spec.Cifar(width: 1.0);
        var report = new StringBuilder();
        report.Append("## 2c. The practical limit: oneDNN's own convolution primitives on the step's layer shapes (width 1)\n\n");
        report.Append("| batch | conv GFLOP per step | oneDNN primitives ms | limit GFLOP/s | plugin step ms | plugin conv ms (profile) | step conv GFLOP/s | / limit | plugin convs / primitives |\n");
        report.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        var perLayer = new StringBuilder();
        var byPass = new StringBuilder();
        using var profiler = new PjrtStepProfiler(plugin);
        foreach (var batch in Batches)
        {
            var steps = TrainStepBench.StepsFor(spec, batch);
            var step = profiler.Profile(spec, batch, steps, warmup: 1, CancellationToken.None).StepMs.Median;
            var layers = Primitives(Path.Combine(nativeBin, "xlaprune_conv_limit_bench"), spec, batch);
            var pluginRoles = PluginConvolutionMs(Path.Combine(nativeBin, "xlaprune_engine_bench"), spec, batch);
            var pluginConvMs = pluginRoles.Values.Sum();
            double flops = 0, limitMs = 0, forwardMs = 0, inputGradientMs = 0, kernelGradientMs = 0;
            for (var i = 0; i < layers.Count; i++)
            {
                var (layer, times) = (spec.Convs[i], layers[i]);
                var passFlops = 2.0 * batch * layer.MacsPerImage;
                // The image needs no gradient: the step has no backward-data pass for the first layer.
                var needsInputGradient = i > 0;
                var passes = needsInputGradient ? 3 : 2;
                flops += passes * passFlops;
                limitMs += times.Forward + times.BackwardWeights + (needsInputGradient ? times.BackwardData : 0);
                forwardMs += times.Forward;
                inputGradientMs += needsInputGradient ? times.BackwardData : 0;
                kernelGradientMs += times.BackwardWeights;
                perLayer.Append(ic, $"| {batch} | {layer.Name} | {layer.InChannels}→{layer.OutChannels}, {layer.InputSize}² | ");
                perLayer.Append(ic, $"{Gflops(passFlops, times.Forward):F0} | {(needsInputGradient ? Gflops(passFlops, times.BackwardData).ToString("F0", ic) : "– (not in the step)")} | {Gflops(passFlops, times.BackwardWeights):F0} |\n");
            }

            var limitGflops = Gflops(flops, limitMs);
            var stepGflops = Gflops(flops, step);
            var ratio = stepGflops / limitGflops;
            report.Append(ic, $"| {batch} | {flops / 1e9:F1} | {limitMs:F1} | {limitGflops:F1} | {step:F1} | {pluginConvMs:F1} | {stepGflops:F1} | ");
            report.Append(ic, $"{ratio:F2} ({(ratio >= Target ? "met" : "not met")}) | {pluginConvMs / limitMs:F2} |\n");
            byPass.Append(ic, $"| {batch} | {Role(pluginRoles, "forward"):F1} / {forwardMs:F1} | {Role(pluginRoles, "input gradient"):F1} / {inputGradientMs:F1} | ");
            byPass.Append(ic, $"{Role(pluginRoles, "kernel gradient"):F1} / {kernelGradientMs:F1} | {Role(pluginRoles, "generic"):F1} |\n");
            Console.WriteLine(string.Create(ic, $"conv limit b={batch}: primitives {limitMs:F1} ms ({limitGflops:F1} GFLOP/s), plugin step {step:F1} ms, plugin convs {pluginConvMs:F1} ms, ratio {ratio:F2}"));
        }

        report.Append(ic, $"\nTarget: step conv GFLOP/s / limit ≥ {Target}. The limit is one train step's convolution work (13 forward, 12\n");
        report.Append("backward-data (the image needs no gradient), 13 backward-weights passes; 2·N·K·C·3·3·H·W flops each) over the\n");
        report.Append(ic, $"sum of oneDNN's own primitives' median times ({Repeats} runs after one warm-up, each primitive alone with its operands in\n");
        report.Append("the layouts it prefers, `format_tag::any`, so no reorders). The step conv GFLOP/s divides the same flops by the\n");
        report.Append("plugin's whole step (batch-norm, pooling, classifier and update included), so `/ limit` is primitives ms over\n");
        report.Append("plugin step ms. \"Plugin conv ms\" is the step's convolution instructions alone (their reorders included),\n");
        report.Append("from `XLAPRUNE_CPU_PROFILE=1` on the engine driver, steady-state steps; its last column shows what the plugin\n");
        report.Append("pays over the bare primitives for the same convolutions.\n\n");
        report.Append("By pass, the plugin's convolution instructions (profile, by the role the engine recognised) against the primitives, ms per step:\n\n");
        report.Append("| batch | forward: plugin / primitives | backward-data | backward-weights | generic (no oneDNN plan) |\n| --- | --- | --- | --- | --- |\n");
        report.Append(byPass).Append('\n');
        report.Append("Per pass and layer, GFLOP/s of oneDNN's primitives in this run:\n\n");
        report.Append("| batch | layer | C→K, H×W | forward | backward-data | backward-weights |\n| --- | --- | --- | --- | --- | --- |\n");
        report.Append(perLayer).Append('\n');
        return report.ToString();
    }

    private static double Gflops(double flops, double ms) => flops / ms / 1e6;

    /// <summary>Median milliseconds of oneDNN's three passes on each conv layer of <paramref name="spec"/>; activations in oneDNN's preferred layouts, or channels-last with <paramref name="channelsLast"/>.</summary>
    internal static List<(double Forward, double BackwardData, double BackwardWeights)> Primitives(string driver, Vgg16Spec spec, int batch, bool channelsLast = false)
    {
        var layers = string.Join(' ', spec.Convs.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.InChannels},{c.OutChannels},{c.InputSize}")));
        var json = JsonDocument.Parse(NativeEnvironment.Run(driver, string.Create(CultureInfo.InvariantCulture, $"{(channelsLast ? "--nhwc " : "")}{batch} {Repeats} {layers}"))).RootElement;
        return [.. json.GetProperty("layers").EnumerateArray().Select(l => (
            l.GetProperty("forward_ms").GetDouble(), l.GetProperty("backward_data_ms").GetDouble(), l.GetProperty("backward_weights_ms").GetDouble()))];
    }

    private static double Role(Dictionary<string, double> roles, string role) => roles.GetValueOrDefault(role);

    /// <summary>Milliseconds per step the engine spends in convolution instructions, by role ("forward", ...), from its profile table.</summary>
    internal static Dictionary<string, double> PluginConvolutionMs(string driver, Vgg16Spec spec, int batch)
    {
        const int Steps = 3;
        const string Prefix = "convolution (";
        var (_, rows) = EngineProfile.Run(driver, spec, batch, Steps);
        return rows.Where(r => r.Kind.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(r => r.Kind[Prefix.Length..].TrimEnd(')'), r => r.Ms / Steps);
    }
}
