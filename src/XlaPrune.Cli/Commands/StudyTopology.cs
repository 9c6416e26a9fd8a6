using XlaPrune.Pjrt;
using XlaPrune.Study;

namespace XlaPrune.Cli;

/// <summary><c>study --topology</c>: the topology compiler of a study, and its failures as one line with a documented exit code.</summary>
internal static class StudyTopology
{
    /// <summary>
    /// Creates the topology for <paramref name="replicas"/> replicas. A topology or option the plugin refuses, a plugin
    /// without topologies, or a topology with fewer devices than replicas exits 2 naming <c>--topology</c>; any other
    /// plugin error exits 1.
    /// </summary>
    public static PjrtTopologyCompiler Create(PjrtPlugin plugin, string name, IReadOnlyDictionary<string, object> options, int replicas)
    {
        try
        {
            return new PjrtTopologyCompiler(plugin, name, options, replicas);
        }
        catch (PjrtException e)
        {
            var code = PluginOption.CodeName(e.Code);
            throw e.Code switch
            {
                PjrtErrorCode.Unimplemented => CliException.About(ExitCodes.Usage, "--topology", $"the plugin {plugin.Path} cannot compile for topologies: {code}: {e.Message}", e),
                PjrtErrorCode.InvalidArgument or PjrtErrorCode.NotFound => CliException.About(ExitCodes.Usage, "--topology", $"{code}: {e.Message}", e),
                _ => new CliException(ExitCodes.Failure, $"creating topology {name} failed: {code}: {e.Message}", e),
            };
        }
        catch (ArgumentException e)
        {
            throw CliException.About(ExitCodes.Usage, "--topology", $"{CliException.FromArgument(e, new Dictionary<string, string>()).Message} (--devices {replicas})", e);
        }
    }

    /// <summary>A cell's train step that did not compile for the topology: exit 1 with the plugin's code and message.</summary>
    public static CliException Failure(TopologyCompileException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.InnerException is PjrtException p
            ? new CliException(ExitCodes.Failure, $"{e.Message}: {PluginOption.CodeName(p.Code)}: {p.Message}", e)
            : new CliException(ExitCodes.Failure, e.Message, e);
    }
}
