using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Cli;

/// <summary>
/// <c>layout --from-hlo FILE</c> and <c>layout --from-compiled</c>: the buffers of a compiled program with the layouts
/// the compiler chose (an HLO text dump, or the optimized program of the train step compiled for a topology).
/// </summary>
internal static class LayoutFromProgram
{
    /// <summary>Reads an HLO text file with layouts and reports its buffers and totals.</summary>
    public static int FromHlo(string path, bool json)
    {
        var text = System.Text.Encoding.UTF8.GetString(Output.ReadInput(path, "HLO text"));
        IReadOnlyList<ProgramBuffer> buffers;
        try
        {
            buffers = ProgramBuffers.FromHloText(text);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: {e.Message}", e);
        }

        if (buffers.Count == 0)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: no instruction with an array shape (expected HLO text such as an after-optimizations dump)");
        }

        if (json)
        {
            Output.PrintJson(new { file = path, buffers = TopologyCompile.BufferRows(buffers), totals = TopologyCompile.Totals(buffers) });
        }
        else
        {
            TopologyCompile.PrintBuffers(buffers);
        }

        return ExitCodes.Success;
    }

    /// <summary>Compiles the train step of <paramref name="model"/> for the topology and reports what the compiler chose.</summary>
    public static int FromCompiled(Vgg16Spec model, int batch, string? plugin, string topology, IEnumerable<string> topologyOptions, bool json)
    {
        var options = TopologyCompile.ParseOptions(topologyOptions);
        byte[] module;
        try
        {
            module = Vgg16Programs.TrainStep(model, batch).Module.ToProtoBytes();
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, "--batch: " + ModelSettings.WithoutParameterName(e), e);
        }

        var compiled = TopologyCompile.Compile(PluginOption.Load(plugin), topology, options, module, $"the train step of {model.Describe()}");
        if (json)
        {
            Output.PrintJson(TopologyCompile.Json(compiled));
        }
        else
        {
            TopologyCompile.Print(compiled);
        }

        return ExitCodes.Success;
    }
}
