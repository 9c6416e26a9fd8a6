using ScottPlot;
using XlaPrune.Models;

namespace XlaPrune.Study;

/// <summary>
/// The study's figures as PNG (ScottPlot, headless). Every method appears in every figure with its own
/// line pattern and marker, so no line hides another; x is the achieved ratio; error bars are 95 % t
/// intervals over seeds; axis titles say whether a number was measured on the plugin or modelled.
/// </summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 560;

    private static readonly LinePattern[] s_patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
    private static readonly MarkerShape[] s_markers = [MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenDiamond];
    private static readonly float[] s_markerSizes = [11, 9, 7, 7];

    public static void Write(string dir, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var summaries = Summaries.Of(cells);
        var methods = Summaries.Methods(cells);
        var plugin = MemorySources.Measured(context);
        var topology = MemorySources.TopologyName(context, cells);
        Save(Path.Combine(dir, "accuracy_vs_ratio.png"), plot =>
        {
            for (var i = 0; i < methods.Count; i++)
            {
                var rows = summaries.Where(s => s.Method == methods[i]).ToList();
                Series(plot, i, methods[i], rows, r => r.Accuracy, plot.Add.Palette.GetColor(i));
            }

            plot.Title("Test accuracy vs achieved pruned ratio (Fig. 2), mean ± 95 % t interval over seeds");
            plot.XLabel("achieved pruned ratio (fraction of conv channels removed)");
            plot.YLabel("test accuracy (measured, TorchSharp evaluation)");
        });

        Save(Path.Combine(dir, "memory_vs_ratio.png"), plot =>
        {
            var quantities = new List<(string Label, Func<RatioSummary, MeanInterval?> Value)>
            {
                ($"compiled peak ({plugin})", r => r.CompiledPeak),
                ("logical bytes (modelled)", r => r.LogicalBytes),
                ("TPU-padded bytes, preferred layouts (modelled)", r => r.PaddedBytes),
                ("parameters (counted)", r => r.Params),
            };
            if (topology is not null)
            {
                quantities.Add(($"{MemorySources.DeviceBytesKind(cells)} (compiled for topology {topology})", r => r.TopologyDeviceBytes));
                quantities.Add(($"buffers, padded under the compiler's layouts (compiled for topology {topology})", r => r.TopologyPaddedBytes));
            }

            for (var q = 0; q < quantities.Count; q++)
            {
                var drawn = false;
                for (var i = 0; i < methods.Count; i++)
                {
                    var rows = summaries.Where(s => s.Method == methods[i]).ToList();
                    var baseline = rows.FirstOrDefault(r => r.Ratio == 0) is { } b ? quantities[q].Value(b)?.Mean : null;
                    if (baseline is null or 0 || rows.Any(r => quantities[q].Value(r) is null))
                    {
                        continue;
                    }

                    Series(plot, i, "", rows, r => Scale(quantities[q].Value(r)!, 1 / baseline.Value), plot.Add.Palette.GetColor(q), LineWidthOf(q));
                    drawn = true;
                }

                if (drawn)
                {
                    plot.Legend.ManualItems.Add(new LegendItem { LabelText = quantities[q].Label, LineColor = plot.Add.Palette.GetColor(q), LineWidth = Math.Max(3, LineWidthOf(q)), MarkerShape = MarkerShape.None });
                }
            }

            ModelledRange(plot, summaries, methods, plot.Add.Palette.GetColor(2));
            for (var i = 0; i < methods.Count; i++)
            {
                plot.Legend.ManualItems.Add(new LegendItem
                {
                    LabelText = methods[i],
                    LineColor = Colors.Black,
                    LineWidth = 1.5f,
                    LinePattern = s_patterns[i % s_patterns.Length],
                    MarkerShape = s_markers[i % s_markers.Length],
                    MarkerColor = Colors.Black,
                    MarkerSize = s_markerSizes[i % s_markerSizes.Length],
                });
            }

            Diagonal(plot, "ratio line 1 − ratio");
            plot.Title("Train-step memory and parameters vs achieved ratio, relative to the original (Fig. 3)");
            plot.Legend.FontSize = 11;
            plot.XLabel("achieved pruned ratio");
            plot.YLabel("fraction of the original model");

            // The measured peak is drawn first and wide: where a modelled quantity equals it (dense CPU layouts), the
            // modelled line runs inside the measured one instead of hiding it.
            static float LineWidthOf(int quantity) => quantity == 0 ? 7 : 1.5f;
        }, legendOutside: true);

        Save(Path.Combine(dir, "step_time_vs_ratio.png"), plot =>
        {
            for (var i = 0; i < methods.Count; i++)
            {
                var rows = summaries.Where(s => s.Method == methods[i] && s.StepMedian is not null).ToList();
                if (rows.Count == 0)
                {
                    continue;
                }

                var color = plot.Add.Palette.GetColor(i);
                Series(plot, i, $"{methods[i]}, median", rows, r => r.StepMedian!, color);
                foreach (var (label, value) in new (string, Func<RatioSummary, MeanInterval?>)[] { ("p10", r => r.StepP10), ("p90", r => r.StepP90) })
                {
                    var band = plot.Add.Scatter(rows.Select(r => r.Achieved.Mean).ToArray(), rows.Select(r => value(r)!.Mean).ToArray());
                    band.LegendText = $"{methods[i]}, {label}";
                    band.Color = color.WithAlpha(0.6);
                    band.LineWidth = 1;
                    band.LinePattern = LinePattern.Dotted;
                    band.MarkerShape = MarkerShape.HorizontalBar;
                    band.MarkerSize = 8;
                }
            }

            plot.Title($"Train-step time vs achieved ratio (Fig. 4, {plugin}; batch {context.Batch})");
            plot.XLabel("achieved pruned ratio");
            plot.YLabel($"ms per step ({plugin}); median ± 95 % t interval, p10 and p90 dotted");
        });

        Save(Path.Combine(dir, "layer_bytes.png"), plot =>
        {
            var original = ReportWriter.BytesPerLayer(context.Original, context.Batch);
            var xs = Enumerable.Range(1, original.Count).Select(i => (double)i).ToArray();
            void Line(IReadOnlyList<(string Layer, long Logical, long Padded)> rows, string label, int style)
            {
                var logical = plot.Add.Scatter(xs, rows.Select(r => r.Logical / 1048576.0).ToArray());
                logical.LegendText = $"{label}, logical (modelled)";
                logical.LinePattern = s_patterns[style % s_patterns.Length];
                logical.MarkerShape = s_markers[style % s_markers.Length];
                var padded = plot.Add.Scatter(xs, rows.Select(r => r.Padded / 1048576.0).ToArray());
                padded.LegendText = $"{label}, TPU-padded (modelled)";
                padded.LinePattern = s_patterns[style % s_patterns.Length];
                padded.MarkerShape = s_markers[style % s_markers.Length];
            }

            Line(original, "original", 0);
            for (var i = 0; i < methods.Count; i++)
            {
                var mostPruned = cells.Where(c => c.Method == methods[i]).OrderByDescending(c => c.Ratio).ThenBy(c => c.Seed).FirstOrDefault();
                if (mostPruned is not null && mostPruned.Ratio > 0)
                {
                    Line(ReportWriter.BytesPerLayer(context.Original.WithConvChannels(mostPruned.ConvChannels), context.Batch),
                        $"{methods[i]} {mostPruned.AchievedRatio:P0} (seed {mostPruned.Seed})", i + 1);
                }
            }

            plot.Axes.Bottom.SetTicks(xs, [.. original.Select(r => r.Layer)]);
            plot.Title($"Train-step bytes per layer at batch {context.Batch}: logical vs TPU-padded (modelled)");
            plot.XLabel("layer");
            plot.YLabel("MiB (modelled)");
        }, Alignment.UpperRight);
    }

    // Means joined by a line (the method's pattern and marker) with t-interval error bars.
    private static void Series(Plot plot, int style, string label, IReadOnlyList<RatioSummary> rows, Func<RatioSummary, MeanInterval> value, Color color, float lineWidth = 1)
    {
        var xs = rows.Select(r => r.Achieved.Mean).ToArray();
        var ys = rows.Select(r => value(r).Mean).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.Color = lineWidth > 1.5f ? color.WithAlpha(0.45) : color;
        line.LineWidth = lineWidth;
        line.LinePattern = s_patterns[style % s_patterns.Length];
        line.MarkerShape = s_markers[style % s_markers.Length];
        line.MarkerSize = s_markerSizes[style % s_markerSizes.Length];
        var errors = rows.Select(r => value(r).HasInterval ? value(r).HalfWidth : 0).ToArray();
        if (errors.Any(e => e > 0))
        {
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = color;
        }
    }

    private static MeanInterval Scale(MeanInterval m, double factor) => m with { Mean = m.Mean * factor, HalfWidth = m.HalfWidth * factor };

    // The modelled range: thin dotted lines at every tensor's fewest- and at its most-padded candidate, each relative
    // to the same bound at ratio 0, one legend entry for all.
    private static void ModelledRange(Plot plot, IReadOnlyList<RatioSummary> summaries, IReadOnlyList<string> methods, Color color)
    {
        var labelled = false;
        foreach (var method in methods)
        {
            var rows = summaries.Where(s => s.Method == method).ToList();
            var original = rows.FirstOrDefault(r => r.Ratio == 0);
            if (original is null || rows.Any(r => r.PaddedBytesMin is null || r.PaddedBytesMax is null))
            {
                continue;
            }

            foreach (var bound in new Func<RatioSummary, MeanInterval>[] { r => r.PaddedBytesMin!, r => r.PaddedBytesMax! })
            {
                var baseline = bound(original).Mean;
                if (baseline == 0)
                {
                    continue;
                }

                var line = plot.Add.Scatter(rows.Select(r => r.Achieved.Mean).ToArray(), rows.Select(r => bound(r).Mean / baseline).ToArray());
                line.Color = color.WithAlpha(0.7);
                line.LineWidth = 1;
                line.LinePattern = LinePattern.Dotted;
                line.MarkerSize = 0;
                line.LegendText = labelled ? "" : "TPU-padded bytes, fewest- and most-padded candidates (modelled range)";
                labelled = true;
            }
        }
    }

    private static void Diagonal(Plot plot, string label)
    {
        var line = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 1, 0 });
        line.LegendText = label;
        line.Color = Colors.Gray;
        line.LinePattern = LinePattern.Dashed;
        line.MarkerSize = 0;
    }

    // Falling curves leave the lower left empty; that is where the legend goes unless told otherwise. A legend with
    // many entries goes beside the data instead, where it covers none.
    private static void Save(string path, Action<Plot> draw, Alignment legend = Alignment.LowerLeft, bool legendOutside = false)
    {
        var plot = new Plot();
        draw(plot);
        if (legendOutside)
        {
            plot.ShowLegend(Edge.Right);
        }
        else
        {
            plot.ShowLegend();
            plot.Legend.Alignment = legend;
        }

        var bytes = plot.GetImageBytes(legendOutside ? Width + 420 : Width, Height, ImageFormat.Png);
        AtomicFiles.Write(path, s => s.Write(bytes));
    }
}
