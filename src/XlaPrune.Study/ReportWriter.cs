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

    // The report is a list of sections, one method each, so further sections slot in without touching the others.
    private static string Markdown(ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var sb = new StringBuilder();
        Header(sb, context);
        Protocol(sb, context);
        Findings(sb, context, cells);
        Summary(sb, context, cells);
        EveryCell(sb, context, cells);
        PaddedBytes(sb, cells);
        Figures(sb);
        return sb.ToString();
    }

    private static string Source(ReportContext context) => context.Plugin is { } p ? $"measured on plugin {p.PlatformName}" : "not measured";

    private static void Header(StringBuilder sb, ReportContext context)
    {
        sb.Append(CultureInfo.InvariantCulture, $"# {context.Title}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Model: `{context.Original.Describe()}`, train step at batch {context.Batch}.");
        sb.Append(context.Plugin is { } p ? $" Step times and compiled memory are measured on PJRT plugin `{p.PlatformName}` ({p.PlatformVersion}).\n\n" : " Step times and compiled memory were not measured.\n\n");
    }

    private static void Protocol(StringBuilder sb, ReportContext context)
    {
        sb.Append("## Protocol\n\n");
        foreach (var note in context.Notes)
        {
            sb.Append("- ").Append(note).Append('\n');
        }

        sb.Append('\n');
    }

    // Each claim's verdict, computed from the cells by Verdicts (never written by hand).
    private static void Findings(StringBuilder sb, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        sb.Append("## Findings (computed from the cells)\n\n| claim | verdict | the numbers behind it |\n| --- | --- | --- |\n");
        foreach (var v in Verdicts.All(cells, 1.0 / context.Original.Classes))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {v.Id}: {v.Claim} | **{Verdicts.Name(v.Verdict)}** | {v.Evidence} |\n");
        }

        sb.Append("\nHow each verdict is computed: docs/study.md, \"How verdicts are computed\".\n\n");
    }

    private static void Summary(StringBuilder sb, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var ic = CultureInfo.InvariantCulture;
        var source = Source(context);
        sb.Append("## Results: mean ± 95 % t interval over seeds\n\n");
        sb.Append(ic, $"| method | ratio | seeds | removed (achieved) | accuracy (measured) | params | step ms median, p10–p90 ({source}) | compiled peak MiB ({source}) | logical MiB (modelled) | TPU-padded MiB (modelled) |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var r in Summaries.Of(cells))
        {
            var step = r.StepMedian is { } m ? $"{m.Format("F1")} ({r.StepP10!.Mean.ToString("F1", ic)}–{r.StepP90!.Mean.ToString("F1", ic)})" : "n/a";
            var peak = r.CompiledPeak is { } p ? Scale(p, 1 / 1048576.0).Format("F1") : "n/a";
            sb.Append(ic, $"| {r.Method} | {r.Ratio:F2} | {r.Accuracy.Count} | {Scale(r.Achieved, 100).Format("F1")} % | {r.Accuracy.Format()} | {r.Params.Mean:N0} | {step} | {peak} | {Scale(r.LogicalBytes, 1 / 1048576.0).Format("F1")} | {Scale(r.PaddedBytes, 1 / 1048576.0).Format("F1")} |\n");
        }

        sb.Append('\n');
    }

    private static void EveryCell(StringBuilder sb, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var ic = CultureInfo.InvariantCulture;
        sb.Append(ic, $"## Every cell\n\n| method | ratio | seed | removed | accuracy | params | MFLOPs/img | step ms ({Source(context)}) | compiled peak MiB | logical MiB | TPU-padded MiB |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var c in cells)
        {
            var step = c.StepMs is { } s ? string.Create(ic, $"{s.Median:F1} ({s.P10:F1}-{s.P90:F1})") : "n/a";
            var peak = c.CompiledMemory is { } m ? (m.PeakBytes / 1048576.0).ToString("F1", ic) : "n/a";
            sb.Append(ic, $"| {c.Method} | {c.Ratio:F2} | {c.Seed} | {Pct(c.AchievedRatio, 1)} | {c.Accuracy:F4} | {c.Params:N0} | {c.Flops / 1e6:F1} | {step} | {peak} | {c.LogicalBytes / 1048576.0:F1} | {c.TpuPaddedBytes / 1048576.0:F1} |\n");
        }

        sb.Append('\n');
    }

    private static void Figures(StringBuilder sb)
    {
        sb.Append("## Figures\n\n");
        sb.Append("![Accuracy vs achieved ratio (Fig. 2)](accuracy_vs_ratio.png)\n\n");
        sb.Append("![Memory and parameters vs achieved ratio (Fig. 3)](memory_vs_ratio.png)\n\n");
        sb.Append("![Step time vs achieved ratio (Fig. 4)](step_time_vs_ratio.png)\n\n");
        sb.Append("![Logical vs TPU-padded bytes per layer (modelled)](layer_bytes.png)\n");
    }

    private static MeanInterval Scale(MeanInterval m, double factor) => m with { Mean = m.Mean * factor, HalfWidth = m.HalfWidth * factor };

    // Modelled TPU padding at each method's largest ratio against its ratio 0: the preferred layouts and the
    // range over every candidate layout, never one assumed layout.
    private static void PaddedBytes(StringBuilder sb, IReadOnlyList<CellResult> cells)
    {
        sb.Append("## TPU-padded bytes (modelled, docs/layout.md)\n\n");
        foreach (var method in cells.Select(c => c.Method).Distinct())
        {
            var rows = cells.Where(c => c.Method == method).GroupBy(c => c.Ratio).OrderBy(g => g.Key).ToList();
            var baseline = rows.FirstOrDefault(g => g.Key == 0);
            var top = rows.LastOrDefault();
            if (baseline is null || top is null || top.Key == 0)
            {
                continue;
            }

            sb.Append(CultureInfo.InvariantCulture, $"- {method}, ratio {top.Key:F2} against 0: {PaddedFinding(baseline, top)}.\n");
        }

        sb.Append('\n');
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
