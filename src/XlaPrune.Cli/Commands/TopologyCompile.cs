using System.Globalization;
using Spectre.Console;
using XlaPrune.Layout;
using XlaPrune.Pjrt;

namespace XlaPrune.Cli;

/// <summary>
/// Compiling for a named topology without a client (<c>compile --topology</c>, <c>layout --from-compiled</c>), and the
/// report both print: the topology, the compiler's memory statistics and cost analysis, and every buffer of the
/// optimized program with its layout and bytes.
/// </summary>
internal static class TopologyCompile
{
    /// <summary>The help of --topology-option, which <see cref="ParseOptions"/> reads.</summary>
    public const string OptionDescription = "A topology create option; repeatable (integers, a,b,c integer lists, true/false, decimals, else strings).";

    /// <summary>Reads <c>KEY=VALUE</c> options: integers become kInt64, <c>a,b,c</c> integer lists kInt64List, true/false kBool, decimals kFloat, anything else kString.</summary>
    public static Dictionary<string, object> ParseOptions(IEnumerable<string> options)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException(ExitCodes.Usage, $"--topology-option: expected KEY=VALUE, got '{option}'");
            }

            var key = option[..eq];
            var value = option[(eq + 1)..];
            if (!result.TryAdd(key, ParseValue(value)))
            {
                throw new CliException(ExitCodes.Usage, $"--topology-option: {key} given twice");
            }
        }

        return result;
    }

    private static object ParseValue(string value)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (value.Contains(',', StringComparison.Ordinal))
        {
            var parts = value.Split(',');
            var list = new long[parts.Length];
            if (parts.Select((p, i) => long.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out list[i])).All(ok => ok))
            {
                return list;
            }
        }

        if (value is "true" or "false")
        {
            return value == "true";
        }

        return float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && value.Contains('.', StringComparison.Ordinal) ? f : value;
    }

    /// <summary>Compiles <paramref name="module"/> for the topology; PJRT failures become exit code 1 naming <paramref name="what"/>.</summary>
    public static CompiledForTopology Compile(PjrtPlugin plugin, string topologyName, IReadOnlyDictionary<string, object> options, byte[] module, string what)
    {
        try
        {
            using var topology = plugin.CreateTopology(topologyName, options);
            var devices = topology.Devices.Count;
            using var executable = topology.CompileHlo(module);
            var stats = executable.GetCompiledMemoryStats();
            var cost = executable.GetCostAnalysis();
            var program = executable.GetOptimizedProgram();
            try
            {
                var buffers = ProgramBuffers.FromModule(ProgramBuffers.ModuleOfOptimizedProgram(program.Format, program.Code));
                return new CompiledForTopology(topologyName, devices, stats, cost, buffers);
            }
            catch (FormatException e)
            {
                throw new CliException(ExitCodes.Failure, $"{what}: the plugin's optimized program cannot be read: {e.Message}", e);
            }
        }
        catch (PjrtException e)
        {
            throw new CliException(ExitCodes.Failure, $"compiling {what} for topology {topologyName} failed: {PluginOption.CodeName(e.Code)}: {e.Message}", e);
        }
    }

    /// <summary>The JSON report: <c>topology</c>, <c>memory</c>, <c>cost</c>, <c>buffers</c>, <c>totals</c>.</summary>
    public static object Json(CompiledForTopology compiled) => new
    {
        topology = new { name = compiled.Topology, devices = compiled.Devices },
        memory = new
        {
            argument_bytes = compiled.Stats.ArgumentSizeInBytes,
            output_bytes = compiled.Stats.OutputSizeInBytes,
            temp_bytes = compiled.Stats.TempSizeInBytes,
            alias_bytes = compiled.Stats.AliasSizeInBytes,
            generated_code_bytes = compiled.Stats.GeneratedCodeSizeInBytes,
            peak_bytes = compiled.Stats.KnownPeakBytes,
        },
        cost = compiled.Cost,
        buffers = BufferRows(compiled.Buffers),
        totals = Totals(compiled.Buffers),
    };

    /// <summary>The report for the terminal.</summary>
    public static void Print(CompiledForTopology compiled)
    {
        var s = compiled.Stats;
        AnsiConsole.MarkupLineInterpolated($"compiled for topology {compiled.Topology} ({compiled.Devices} devices), without a client");
        AnsiConsole.MarkupLineInterpolated(
            $"  memory: arguments {s.ArgumentSizeInBytes:N0} B, outputs {s.OutputSizeInBytes:N0} B, aliased {s.AliasSizeInBytes:N0} B, temporaries {s.TempSizeInBytes:N0} B, generated code {s.GeneratedCodeSizeInBytes:N0} B");
        foreach (var (name, value) in compiled.Cost.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            AnsiConsole.MarkupLineInterpolated($"  cost {name}: {string.Format(CultureInfo.InvariantCulture, "{0}", value)}");
        }

        PrintBuffers(compiled.Buffers);
    }

    /// <summary>The <c>buffers</c> rows: name, shape, layout (XLA text, empty when none), logical and padded bytes.</summary>
    public static IEnumerable<object> BufferRows(IReadOnlyList<ProgramBuffer> buffers) =>
        buffers.Select(b => new
        {
            name = b.Name,
            shape = b.Array.ShapeText,
            layout = b.Array.Layout?.ToString() ?? "",
            logical_bytes = b.Array.LogicalBytes,
            padded_bytes = b.Array.PaddedBytes,
        }).ToList();

    /// <summary>The <c>totals</c> object.</summary>
    public static object Totals(IReadOnlyList<ProgramBuffer> buffers) => new
    {
        logical_bytes = ProgramBuffers.TotalLogicalBytes(buffers),
        padded_bytes = ProgramBuffers.TotalPaddedBytes(buffers),
    };

    /// <summary>A table of the buffers and a totals line, for the terminal.</summary>
    public static void PrintBuffers(IReadOnlyList<ProgramBuffer> buffers)
    {
        var table = new Table().AddColumns("buffer", "shape", "layout", "logical", "padded");
        foreach (var b in buffers)
        {
            table.AddRow(Markup.Escape(b.Name), Markup.Escape(b.Array.ShapeText), Markup.Escape(b.Array.Layout?.ToString() ?? ""),
                $"{b.Array.LogicalBytes:N0}", $"{b.Array.PaddedBytes:N0}");
        }

        AnsiConsole.Write(table);
        var logical = ProgramBuffers.TotalLogicalBytes(buffers);
        var padded = ProgramBuffers.TotalPaddedBytes(buffers);
        AnsiConsole.MarkupLineInterpolated($"{buffers.Count} buffers: logical {logical:N0} B, padded {padded:N0} B (sums over buffers, not a peak)");
    }
}

/// <summary>What compiling for a topology reports.</summary>
/// <param name="Topology">The topology's name as given.</param>
/// <param name="Devices">Its device count.</param>
/// <param name="Stats">The compiler's memory statistics.</param>
/// <param name="Cost">Every cost-analysis property the plugin returned, by its own name.</param>
/// <param name="Buffers">The buffers of the optimized program with the compiler's layouts.</param>
internal sealed record CompiledForTopology(string Topology, int Devices, CompiledMemoryStats Stats, IReadOnlyDictionary<string, object> Cost, IReadOnlyList<ProgramBuffer> Buffers);
