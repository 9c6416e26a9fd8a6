using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary>The command table: one line per command.</summary>
internal static class Commands
{
    public static void Register(IConfigurator config)
    {
        config.AddCommand<SpecCommand>("spec").WithDescription("Print a model spec (layers, channels, parameter and FLOP counts).");
    }
}
