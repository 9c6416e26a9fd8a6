namespace XlaPrune.Study;

/// <summary>One method at one requested ratio, over its seeds: means with 95 % t intervals.</summary>
/// <param name="Method">e.g. <c>slimming-reload</c>.</param>
/// <param name="Ratio">Requested ratio.</param>
/// <param name="Achieved">Fraction of channels actually removed.</param>
/// <param name="Accuracy">Test accuracy.</param>
/// <param name="StepMedian">Median step time (ms) measured on the plugin, or null when not profiled.</param>
/// <param name="StepP10">10th percentile step time (ms), or null.</param>
/// <param name="StepP90">90th percentile step time (ms), or null.</param>
/// <param name="CompiledPeak">Compiled peak bytes reported by the plugin, or null.</param>
/// <param name="LogicalBytes">Modelled train-step bytes without padding.</param>
/// <param name="PaddedBytes">Modelled train-step bytes with TPU tile padding.</param>
/// <param name="Params">Parameters.</param>
public sealed record RatioSummary(
    string Method, double Ratio, MeanInterval Achieved, MeanInterval Accuracy,
    MeanInterval? StepMedian, MeanInterval? StepP10, MeanInterval? StepP90, MeanInterval? CompiledPeak,
    MeanInterval LogicalBytes, MeanInterval PaddedBytes, MeanInterval Params)
{
    /// <summary>Modelled TPU-padded bytes with every tensor in its fewest-padded candidate layout, or null for cells written before ranges.</summary>
    public MeanInterval? PaddedBytesMin { get; init; }

    /// <summary>Modelled TPU-padded bytes with every tensor in its most-padded candidate layout, or null.</summary>
    public MeanInterval? PaddedBytesMax { get; init; }

    /// <summary>Device bytes of the step compiled for the topology (the reported peak, else arguments + outputs + temporaries − aliased), or null.</summary>
    public MeanInterval? TopologyDeviceBytes { get; init; }

    /// <summary>Bytes of the optimized program's buffers under the compiler's layouts, compiled for the topology, or null.</summary>
    public MeanInterval? TopologyPaddedBytes { get; init; }
}

/// <summary>Groups cells by method and ratio and summarises them over seeds.</summary>
public static class Summaries
{
    /// <summary>One summary per method and requested ratio, methods in first-seen order, ratios ascending.</summary>
    public static IReadOnlyList<RatioSummary> Of(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return [.. Methods(cells).SelectMany(m => cells.Where(c => c.Method == m).GroupBy(c => c.Ratio).OrderBy(g => g.Key).Select(g => Summarise(m, g.Key, [.. g])))];
    }

    /// <summary>The methods of <paramref name="cells"/>, in first-seen order.</summary>
    public static IReadOnlyList<string> Methods(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return [.. cells.Select(c => c.Method).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The cells of one method, by requested ratio (ascending), then by seed.</summary>
    public static SortedDictionary<double, SortedDictionary<int, CellResult>> BySeed(IReadOnlyList<CellResult> cells, string method)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var table = new SortedDictionary<double, SortedDictionary<int, CellResult>>();
        foreach (var c in cells.Where(c => c.Method == method))
        {
            if (!table.TryGetValue(c.Ratio, out var seeds))
            {
                table[c.Ratio] = seeds = [];
            }

            seeds[c.Seed] = c;
        }

        return table;
    }

    private static RatioSummary Summarise(string method, double ratio, List<CellResult> g)
    {
        static MeanInterval? Optional(List<CellResult> g, Func<CellResult, double?> f) =>
            g.All(c => f(c) is not null) ? Statistics.Interval([.. g.Select(c => f(c)!.Value)]) : null;

        return new RatioSummary(
            method, ratio,
            Statistics.Interval([.. g.Select(c => c.AchievedRatio)]),
            Statistics.Interval([.. g.Select(c => c.Accuracy)]),
            Optional(g, c => c.StepMs?.Median),
            Optional(g, c => c.StepMs?.P10),
            Optional(g, c => c.StepMs?.P90),
            Optional(g, c => c.CompiledMemory?.PeakBytes),
            Statistics.Interval([.. g.Select(c => (double)c.LogicalBytes)]),
            Statistics.Interval([.. g.Select(c => (double)c.TpuPaddedBytes)]),
            Statistics.Interval([.. g.Select(c => (double)c.Params)]))
        {
            PaddedBytesMin = Optional(g, c => c.TpuPaddedBytesMin),
            PaddedBytesMax = Optional(g, c => c.TpuPaddedBytesMax),
            TopologyDeviceBytes = Optional(g, c => c.CompiledForTopology?.Memory.DeviceBytes),
            TopologyPaddedBytes = Optional(g, c => c.CompiledForTopology?.PaddedBytes),
        };
    }
}
