using XlaPrune.Models;
using ScottPlot;

namespace XlaPrune.Study;

/// <summary>The study's figures as PNG (ScottPlot, headless).</summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 560;

    public static void Write(string dir, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var methods = cells.Select(c => c.Method).Distinct().ToList();
        Save(Path.Combine(dir, "accuracy_vs_ratio.png"), plot =>
        {
            foreach (var m in methods)
            {
                var (xs, ys) = Series(cells, m, c => c.Accuracy);
                plot.Add.Scatter(xs, ys).LegendText = m;
            }

            plot.Title("Accuracy vs pruned ratio (Fig. 2)");
            plot.XLabel("pruned ratio");
            plot.YLabel("test accuracy");
        });

        Save(Path.Combine(dir, "memory_vs_ratio.png"), plot =>
        {
            var m = methods.FirstOrDefault() ?? "";
            var series = new (string Label, Func<CellResult, double?> Value)[]
            {
                ("parameters", c => c.Params),
                ("logical bytes", c => c.LogicalBytes),
                ("TPU-padded bytes", c => c.TpuPaddedBytes),
                ("compiled peak (plugin)", c => c.CompiledMemory?.PeakBytes),
            };
            foreach (var (label, value) in series)
            {
                var rows = cells.Where(c => c.Method == m && value(c) is not null).GroupBy(c => c.Ratio).OrderBy(g => g.Key).ToList();
                var baseline = rows.FirstOrDefault(g => g.Key == 0)?.Average(c => value(c)!.Value);
                if (baseline is null or 0)
                {
                    continue;
                }

                plot.Add.Scatter(rows.Select(g => g.Key).ToArray(), rows.Select(g => g.Average(c => value(c)!.Value) / baseline.Value).ToArray()).LegendText = label;
            }

            plot.Title($"Memory and parameters vs pruned ratio, relative to unpruned (Fig. 3, {m})");
            plot.XLabel("pruned ratio");
            plot.YLabel("fraction of the unpruned model");
        });

        Save(Path.Combine(dir, "step_time_vs_ratio.png"), plot =>
        {
            foreach (var m in methods)
            {
                var timed = cells.Where(c => c.Method == m && c.StepMs is not null).ToList();
                if (timed.Count == 0)
                {
                    continue;
                }

                var (xs, ys) = Series(timed, m, c => c.StepMs!.Median);
                plot.Add.Scatter(xs, ys).LegendText = $"{m} (median)";
                var baseline = timed.Where(c => c.Ratio == 0).Select(c => c.StepMs!.Median).DefaultIfEmpty(double.NaN).Average();
                var baseFlops = timed.Where(c => c.Ratio == 0).Select(c => (double)c.Flops).DefaultIfEmpty(double.NaN).Average();
                if (!double.IsNaN(baseline) && m == methods[0])
                {
                    var (fx, fy) = Series(timed, m, c => baseline * c.Flops / baseFlops);
                    var ideal = plot.Add.Scatter(fx, fy);
                    ideal.LegendText = "proportional to FLOPs";
                    ideal.LinePattern = LinePattern.Dashed;
                }
            }

            plot.Title(context.Plugin is { } p ? $"Train-step time vs pruned ratio (Fig. 4, {p.PlatformName})" : "Train-step time vs pruned ratio (not measured)");
            plot.XLabel("pruned ratio");
            plot.YLabel("ms per step");
        });

        Save(Path.Combine(dir, "layer_bytes.png"), plot =>
        {
            var original = ReportWriter.BytesPerLayer(context.Original, context.Batch);
            var mostPruned = cells.Where(c => c.Method == methods.FirstOrDefault()).OrderByDescending(c => c.Ratio).FirstOrDefault();
            var xs = Enumerable.Range(1, original.Count).Select(i => (double)i).ToArray();
            void Line(IReadOnlyList<(string Layer, long Logical, long Padded)> rows, string label, bool dashed)
            {
                var logical = plot.Add.Scatter(xs, rows.Select(r => r.Logical / 1048576.0).ToArray());
                logical.LegendText = $"{label}, logical";
                var padded = plot.Add.Scatter(xs, rows.Select(r => r.Padded / 1048576.0).ToArray());
                padded.LegendText = $"{label}, TPU-padded";
                if (dashed)
                {
                    logical.LinePattern = LinePattern.Dashed;
                    padded.LinePattern = LinePattern.Dashed;
                }
            }

            Line(original, "unpruned", dashed: false);
            if (mostPruned is not null && mostPruned.Ratio > 0)
            {
                Line(ReportWriter.BytesPerLayer(context.Original.WithConvChannels(mostPruned.ConvChannels), context.Batch), $"{mostPruned.Method} {mostPruned.Ratio:P0}", dashed: true);
            }

            plot.Axes.Bottom.SetTicks(xs, [.. original.Select(r => r.Layer)]);
            plot.Title($"Train-step bytes per layer at batch {context.Batch}: logical vs TPU-padded");
            plot.XLabel("layer");
            plot.YLabel("MiB");
        });
    }

    private static (double[] Xs, double[] Ys) Series(IEnumerable<CellResult> cells, string method, Func<CellResult, double> value)
    {
        var rows = cells.Where(c => c.Method == method).GroupBy(c => c.Ratio).OrderBy(g => g.Key).ToList();
        return ([.. rows.Select(g => g.Key)], [.. rows.Select(g => g.Average(value))]);
    }

    private static void Save(string path, Action<Plot> draw)
    {
        var plot = new Plot();
        draw(plot);
        plot.ShowLegend();
        var bytes = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFiles.Write(path, s => s.Write(bytes));
    }
}
