using System.Globalization;
using System.Text;
using System.Text.Json;
using XlaPrune.Layout;
using XlaPrune.Programs;
using XlaPrune.Models;

namespace XlaPrune.Study;

/// <summary>What the report describes besides the cells.</summary>
/// <param name="Title">Heading, e.g. the preset and dataset.</param>
/// <param name="Original">The unpruned model.</param>
/// <param name="Batch">Batch size of the profiled and modelled train step.</param>
/// <param name="Plugin">Plugin the step times come from, or null.</param>
/// <param name="Notes">Lines about how the study ran (epochs, images, trainer).</param>
public sealed record ReportContext(string Title, Vgg16Spec Original, int Batch, PluginIdentity? Plugin, IReadOnlyList<string> Notes);

/// <summary>Writes report.md, results.csv, results.json and the PNG figures into a folder.</summary>
public static class ReportWriter
{
    /// <summary>The files <see cref="Write"/> produces.</summary>
    public static IReadOnlyList<string> Files { get; } =
        ["report.md", "results.csv", "results.json", "accuracy_vs_ratio.png", "memory_vs_ratio.png", "step_time_vs_ratio.png", "layer_bytes.png"];

    /// <summary>CSV columns, in order.</summary>
    public const string CsvHeader =
        "method,ratio,seed,achieved_ratio,accuracy,params,flops,step_ms_median,step_ms_p10,step_ms_p90,compiled_peak_bytes,compiled_temp_bytes,logical_bytes,tpu_padded_bytes,conv_channels";

    /// <summary>Writes every report file into <paramref name="dir"/>, each atomically.</summary>
    public static void Write(string dir, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cells);
        var ordered = cells.OrderBy(c => c.Method, StringComparer.Ordinal).ThenBy(c => c.Ratio).ThenBy(c => c.Seed).ToList();
        AtomicFiles.WriteText(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(ordered, StudyJson.Options));
        AtomicFiles.WriteText(Path.Combine(dir, "results.csv"), Csv(ordered));
        Plots.Write(dir, context, ordered);
        AtomicFiles.WriteText(Path.Combine(dir, "report.md"), Markdown(context, ordered));
    }

    /// <summary>The CSV text: header, then one row per cell.</summary>
    public static string Csv(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var sb = new StringBuilder().Append(CsvHeader).Append('\n');
        foreach (var c in cells)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{c.Method},{c.Ratio},{c.Seed},{c.AchievedRatio:F4},{c.Accuracy:F4},{c.Params},{c.Flops},{F(c.StepMs?.Median)},{F(c.StepMs?.P10)},{F(c.StepMs?.P90)},{c.CompiledMemory?.PeakBytes},{c.CompiledMemory?.TempBytes},{c.LogicalBytes},{c.TpuPaddedBytes},\"{string.Join(' ', c.ConvChannels)}\"\n");
        }

        return sb.ToString();
    }

    private static string Pct(double fraction, int decimals = 0) =>
        (fraction * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";

    private static string F(double? v) => v is { } x ? x.ToString("F3", CultureInfo.InvariantCulture) : "";

    private static string Markdown(ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ic, $"# {context.Title}\n\n");
        sb.Append(ic, $"Model: `{context.Original.Describe()}`, train step at batch {context.Batch}.");
        sb.Append(context.Plugin is { } p ? $" Step times and compiled memory from PJRT plugin `{p.PlatformName}` ({p.PlatformVersion}).\n\n" : " Step times were not measured.\n\n");
        foreach (var note in context.Notes)
        {
            sb.Append("- ").Append(note).Append('\n');
        }

        sb.Append("\n## Results\n\n| method | ratio | seed | removed | accuracy | params | MFLOPs/img | step ms (p10-p90) | compiled peak MiB | logical MiB | TPU-padded MiB |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var c in cells)
        {
            var step = c.StepMs is { } s ? string.Create(ic, $"{s.Median:F1} ({s.P10:F1}-{s.P90:F1})") : "n/a";
            var peak = c.CompiledMemory is { } m ? (m.PeakBytes / 1048576.0).ToString("F1", ic) : "n/a";
            sb.Append(ic, $"| {c.Method} | {c.Ratio:F2} | {c.Seed} | {Pct(c.AchievedRatio, 1)} | {c.Accuracy:F4} | {c.Params:N0} | {c.Flops / 1e6:F1} | {step} | {peak} | {c.LogicalBytes / 1048576.0:F1} | {c.TpuPaddedBytes / 1048576.0:F1} |\n");
        }

        sb.Append("\n## What the figures show\n\n");
        foreach (var line in Findings(cells))
        {
            sb.Append("- ").Append(line).Append('\n');
        }

        sb.Append("\n![Accuracy vs pruned ratio (Fig. 2)](accuracy_vs_ratio.png)\n\n");
        sb.Append("![Memory and parameters vs pruned ratio (Fig. 3)](memory_vs_ratio.png)\n\n");
        sb.Append("![Step time vs pruned ratio (Fig. 4)](step_time_vs_ratio.png)\n\n");
        sb.Append("![Logical vs TPU-padded bytes per layer](layer_bytes.png)\n");
        return sb.ToString();
    }

    // Sentences computed from the numbers: how savings compare with the pruned ratio.
    private static IEnumerable<string> Findings(IReadOnlyList<CellResult> cells)
    {
        var ic = CultureInfo.InvariantCulture;
        foreach (var method in cells.Select(c => c.Method).Distinct())
        {
            var rows = cells.Where(c => c.Method == method).GroupBy(c => c.Ratio).OrderBy(g => g.Key).ToList();
            var baseline = rows.FirstOrDefault(g => g.Key == 0);
            var top = rows.LastOrDefault();
            if (baseline is null || top is null || top.Key == 0)
            {
                continue;
            }

            double Mean(IEnumerable<CellResult> g, Func<CellResult, double> f) => g.Average(f);
            var acc0 = Mean(baseline, c => c.Accuracy);
            var acc1 = Mean(top, c => c.Accuracy);
            var logical = 1 - (Mean(top, c => c.LogicalBytes) / Mean(baseline, c => c.LogicalBytes));
            var flops = 1 - (Mean(top, c => c.Flops) / Mean(baseline, c => c.Flops));
            var text = string.Create(ic,
                $"{method}: pruning {Pct(top.Key)} of the channels changes accuracy from {acc0:F4} to {acc1:F4}, removes {Pct(flops)} of the FLOPs and {Pct(logical)} of the train step's logical bytes; {PaddedFinding(baseline, top)}");
            if (baseline.All(c => c.StepMs is not null) && top.All(c => c.StepMs is not null))
            {
                var time = 1 - (Mean(top, c => c.StepMs!.Median) / Mean(baseline, c => c.StepMs!.Median));
                text += string.Create(ic, $"; the measured step time falls by {Pct(time)}");
            }

            yield return text + ".";
        }
    }

    // The layout sentence: modelled padded bytes as the preferred figure and the range over candidate layouts.
    private static string PaddedFinding(IEnumerable<CellResult> baseline, IEnumerable<CellResult> top)
    {
        var ic = CultureInfo.InvariantCulture;
        double Saved(Func<CellResult, double> f) => 1 - (top.Average(f) / baseline.Average(f));
        var preferred = Saved(c => c.TpuPaddedBytes);
        if (baseline.Concat(top).Any(c => c.TpuPaddedBytesMin is null || c.TpuPaddedBytesMax is null))
        {
            return string.Create(ic, $"modelled TPU-padded bytes (preferred layouts, docs/layout.md) fall by {Pct(preferred)}");
        }

        var fewest = Saved(c => c.TpuPaddedBytesMin!.Value);
        var most = Saved(c => c.TpuPaddedBytesMax!.Value);
        return string.Create(ic,
            $"modelled TPU-padded bytes fall by {Pct(preferred)} under the layouts public TPU evidence supports, and by {Pct(Math.Min(fewest, most))} to {Pct(Math.Max(fewest, most))} if every tensor took its fewest- or most-padded candidate (docs/layout.md)");
    }

    /// <summary>Per-layer logical and padded bytes (preferred layouts) of a spec's train step: parameters, optimizer state and kept activations of each layer, read from its HLO module.</summary>
    public static IReadOnlyList<(string Layer, long Logical, long Padded)> BytesPerLayer(Vgg16Spec spec, int batch, DataFormat format = DataFormat.Nhwc)
    {
        var tensors = TrainStepLayout.Tensors(Vgg16Programs.TrainStep(spec, batch, format: format).Module).Where(t => t.Kind != TensorKind.Temporary).ToList();
        return [.. spec.Convs.Select(c => c.Name).Concat(spec.Linears.Select(l => l.Name)).Select(layer =>
        {
            var bn = layer.StartsWith("conv", StringComparison.Ordinal) ? "bn" + layer[4..] : layer;
            var mine = tensors.Where(t => t.Layer == layer || t.Layer == bn).ToList();
            return (layer, mine.Sum(t => t.LogicalBytes), mine.Sum(t => t.PaddedBytes));
        })];
    }
}
