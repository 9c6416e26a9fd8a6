using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary>The command table: one line per command.</summary>
internal static class Commands
{
    public static void Register(IConfigurator config)
    {
        config.AddCommand<SpecCommand>("spec").WithDescription("Print a model spec (layers, channels, parameter and FLOP counts).");
        config.AddBranch("plugin", plugin =>
        {
            plugin.SetDescription("PJRT plugins.");
            plugin.AddCommand<PluginInfoCommand>("info").WithDescription("Platform, API version, attributes, devices and memories of a PJRT plugin.");
        });
        config.AddCommand<CompileCommand>("compile").WithDescription("Compile a serialized HloModuleProto on a PJRT plugin and print outputs and memory statistics.");
    }
}
