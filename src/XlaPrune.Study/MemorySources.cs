using System.Globalization;
using System.Text;

namespace XlaPrune.Study;

/// <summary>
/// The three sources of memory figures, kept apart and labelled in the report and the figures: measured on the
/// plugin, compiled for a topology, and modelled (a range over candidate layouts).
/// </summary>
internal static class MemorySources
{
    /// <summary>The label of the layout model's figures.</summary>
    public const string Modelled = "modelled (range over XLA's candidate TPU layouts; assumptions in docs/layout.md)";

    /// <summary>The label of numbers measured on the plugin, e.g. <c>measured on plugin cpu</c>.</summary>
    public static string Measured(ReportContext context) => context.Plugin is { } p ? $"measured on plugin {p.PlatformName}" : "not measured";

    /// <summary>The topology the cells were compiled for: the context's, else the one every cell names, else null.</summary>
    public static string? TopologyName(ReportContext context, IReadOnlyList<CellResult> cells)
    {
        if (context.Topology is { } t)
        {
            return t.Name;
        }

        var names = cells.Select(c => c.CompiledForTopology?.Topology).Distinct().ToList();
        return names is [{ } only] ? only : null;
    }

    /// <summary>What the topology's device bytes are: the reported peak when every cell has one, else the sum of the statistics.</summary>
    public static string DeviceBytesKind(IEnumerable<CellResult> cells) =>
        cells.All(c => c.CompiledForTopology?.Memory.IsPeak != false) ? "peak" : "arguments + outputs + temporaries − aliased";

    /// <summary>The section: what each source is, then the memory of each method and ratio from each source, means over seeds.</summary>
    public static void Section(StringBuilder sb, ReportContext context, IReadOnlyList<CellResult> cells)
    {
        var ic = CultureInfo.InvariantCulture;
        var measured = Measured(context);
        var topology = TopologyName(context, cells);
        var compiled = topology is null ? null : $"compiled for topology {topology}";
        sb.Append("## Memory by source\n\n");
        if (context.Plugin is { } p)
        {
            sb.Append(ic, $"- **{measured}** ({p.PlatformVersion}): the compiler's memory statistics of the train step compiled on a client of the plugin, the executable the step times come from.\n");
        }
        else
        {
            sb.Append("- **measured**: not measured (no plugin profiled the train step).\n");
        }

        if (compiled is not null && cells.Select(c => c.CompiledForTopology).FirstOrDefault(c => c is not null) is { } first)
        {
            var replicas = first.Replicas == 1 ? "one replica on one device" : $"{first.Replicas} replicas (data-parallel), statistics of one device";
            sb.Append(ic, $"- **{compiled}** (platform {first.PlatformName} {first.PlatformVersion}, {first.Devices} device{(first.Devices == 1 ? "" : "s")}, {replicas}; compiled without a client): the compiler's memory statistics as reported, and the bytes of the optimized program's buffers under the layouts the compiler chose (docs/tpu.md).\n");
        }
        else
        {
            sb.Append("- **compiled for a topology**: not compiled (study --plugin ... --topology NAME compiles every cell's train step for a topology without a client, docs/tpu.md).\n");
        }

        sb.Append(ic, $"- **{Modelled}**: logical and TPU-padded bytes of the train step's tensors held across the step at the batch of {context.Batch} on one device, read from its HLO module, padded under the preferred candidate layout of each tensor and as the range from every tensor's fewest- to its most-padded candidate.\n\n");

        var header = new List<string> { "method", "ratio", $"compiled peak MiB ({measured})" };
        if (compiled is not null)
        {
            header.AddRange([$"arguments / outputs / temporaries / aliased MiB ({compiled})", $"{DeviceBytesKind(cells)} MiB ({compiled})", $"buffers logical → padded MiB ({compiled})"]);
        }

        header.AddRange(["logical MiB (modelled)", "TPU-padded MiB, preferred [fewest–most] (modelled)"]);
        sb.Append("| ").AppendJoin(" | ", header).Append(" |\n|").Append(string.Concat(Enumerable.Repeat(" --- |", header.Count))).Append('\n');
        foreach (var group in cells.GroupBy(c => (c.Method, c.Ratio)).OrderBy(g => g.Key.Method, StringComparer.Ordinal).ThenBy(g => g.Key.Ratio))
        {
            var g = group.ToList();
            var row = new List<string> { g[0].Method, g[0].Ratio.ToString("F2", ic), Mean(g, c => c.CompiledMemory?.PeakBytes) };
            if (compiled is not null)
            {
                row.Add(string.Join(" / ", new Func<CellResult, long?>[]
                {
                    c => c.CompiledForTopology?.Memory.ArgumentBytes, c => c.CompiledForTopology?.Memory.OutputBytes,
                    c => c.CompiledForTopology?.Memory.TempBytes, c => c.CompiledForTopology?.Memory.AliasBytes,
                }.Select(f => Mean(g, f))));
                row.Add(Mean(g, c => c.CompiledForTopology?.Memory.DeviceBytes));
                row.Add($"{Mean(g, c => c.CompiledForTopology?.LogicalBytes)} → {Mean(g, c => c.CompiledForTopology?.PaddedBytes)}");
            }

            row.Add(Mean(g, c => c.LogicalBytes));
            row.Add($"{Mean(g, c => c.TpuPaddedBytes)} [{Mean(g, c => c.TpuPaddedBytesMin)}–{Mean(g, c => c.TpuPaddedBytesMax)}]");
            sb.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }

        sb.Append("\nMeans over seeds, in MiB (1 MiB = 1,048,576 bytes); n/a where a source gave no number.\n\n");
    }

    // The mean over the cells in MiB, or n/a when any cell lacks the value.
    private static string Mean(IReadOnlyList<CellResult> cells, Func<CellResult, long?> value) =>
        cells.Any(c => value(c) is null) ? "n/a" : (cells.Average(c => (double)value(c)!.Value) / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
}
