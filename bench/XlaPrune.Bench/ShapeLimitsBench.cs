using System.Globalization;
using System.Text;
using XlaPrune.Models;

namespace XlaPrune.Bench;

/// <summary>
/// Section 2d: what limits each of the eight shapes. The engine's <c>XLAPRUNE_CPU_PROFILE</c> table (milliseconds per
/// instruction kind, engine driver, steady-state steps) splits the step into convolutions and the rest; oneDNN's own
/// primitives on the same layer shapes, in the layouts the step uses, give the floor of the convolutions; TorchSharp's
/// step comes from section 1 of the same run.
/// </summary>
internal static class ShapeLimitsBench
{
    private const int Steps = 3;
    private const int RestKinds = 3;
    private const string ConvolutionPrefix = "convolution (";

    public static string Run(string nativeBin, IReadOnlyDictionary<(double, int, int), double> torchMs, CultureInfo ic)
    {
        var report = new StringBuilder();
        report.Append("## 2d. What limits each shape (engine driver, `XLAPRUNE_CPU_PROFILE=1`, NHWC)\n\n");
        report.Append("| width | in ch | batch | engine step ms | convolutions ms | oneDNN primitives ms | convolutions / primitives | rest ms | largest rest (ms) | TorchSharp ms | step / TorchSharp | primitives / TorchSharp |\n");
        report.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var (width, channels, batch) in TrainStepBench.Shapes())
        {
            var spec = Vgg16Spec.Cifar(inputChannels: channels, width: width);
            var (stepMs, rows) = EngineProfile.Run(Path.Combine(nativeBin, "xlaprune_engine_bench"), spec, batch, Steps);
            var convMs = rows.Where(r => r.Kind.StartsWith(ConvolutionPrefix, StringComparison.Ordinal)).Sum(r => r.Ms) / Steps;
            var rest = rows.Where(r => !r.Kind.StartsWith(ConvolutionPrefix, StringComparison.Ordinal)).OrderByDescending(r => r.Ms).ToList();
            var restMs = rest.Sum(r => r.Ms) / Steps;
            var largest = string.Join(", ", rest.Take(RestKinds).Select(r => string.Create(ic, $"{r.Kind} {r.Ms / Steps:F1}")));
            var layers = ConvLimitBench.Primitives(Path.Combine(nativeBin, "xlaprune_conv_limit_bench"), spec, batch, channelsLast: true);
            // The image needs no gradient: no backward-data pass for the first layer.
            var primitivesMs = layers.Select((l, i) => l.Forward + l.BackwardWeights + (i > 0 ? l.BackwardData : 0)).Sum();
            report.Append(ic, $"| {width} | {channels} | {batch} | {stepMs:F1} | {convMs:F1} | {primitivesMs:F1} | {convMs / primitivesMs:F2} | {restMs:F1} | {largest} | ");
            report.Append(torchMs.TryGetValue((width, channels, batch), out var torch)
                ? string.Create(ic, $"{torch:F1} | {stepMs / torch:F2} | {primitivesMs / torch:F2} |\n")
                : "– (section 1 not run) | – | – |\n");
            Console.WriteLine(string.Create(ic, $"limits w={width} c={channels} b={batch}: step {stepMs:F1} ms, convolutions {convMs:F1} ms (primitives {primitivesMs:F1}), rest {restMs:F1} ms"));
        }

        report.Append('\n');
        report.Append("The engine runs the train step without the PJRT layer (median of ").Append(Steps.ToString(ic)).Append(" steps after one warm-up); \"convolutions\" and\n");
        report.Append("\"rest\" are the profile's per-step milliseconds of the convolution instructions and of everything else (a fusion is\n");
        report.Append("named after its root instruction). The primitives are oneDNN's forward, backward-data and backward-weights passes\n");
        report.Append("on the step's layer shapes with channels-last activations, as the step runs them (section 2c's `format_tag::any`\n");
        report.Append("for its own limit). \"primitives / TorchSharp\" is the ratio the plugin would reach if everything but the\n");
        report.Append("convolutions took no time and its convolutions ran at oneDNN's own speed: the floor of this design on this machine.\n\n");
        return report.ToString();
    }
}
