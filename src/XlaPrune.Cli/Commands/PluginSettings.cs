using System.ComponentModel;
using Spectre.Console.Cli;
using XlaPrune.Pjrt;

namespace XlaPrune.Cli;

/// <summary>The --plugin option: a name (cpu, tpu, cuda) or a path to a PJRT plugin .so.</summary>
internal static class PluginOption
{
    /// <summary>The variable that chooses the plugin when --plugin is not given.</summary>
    public const string EnvironmentVariable = "XLAPRUNE_PJRT_PLUGIN";

    public const string Description =
        "PJRT plugin: cpu (ours, default), tpu, cuda, or a path to a .so. Default: $XLAPRUNE_PJRT_PLUGIN, else cpu.";

    /// <summary>The PJRT spelling of an error code, e.g. INVALID_ARGUMENT.</summary>
    public static string CodeName(PjrtErrorCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    /// <summary>Loads the plugin, turning a failure into exit code 3 with the loader's list of paths tried.</summary>
    /// <param name="nameOrPath">The option's value, or null for the variable or the default.</param>
    /// <param name="option">The option that gave <paramref name="nameOrPath"/>, named in errors.</param>
    public static PjrtPlugin Load(string? nameOrPath, string option = "--plugin")
    {
        // Which option or variable chose the plugin, so an error can name it.
        var subject = nameOrPath is not null ? option
            : string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) ? null : EnvironmentVariable;
        try
        {
            return PjrtPlugin.Load(nameOrPath);
        }
        catch (PjrtException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e) { KeepLines = true };
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            var reason = e is ArgumentException a ? CliException.FromArgument(a, new Dictionary<string, string>()).Message : e.Message;
            throw subject is null ? new CliException(ExitCodes.BadInput, reason, e) : CliException.About(ExitCodes.BadInput, subject, reason, e);
        }
    }

    /// <summary>
    /// Loads the plugin (<see cref="Load"/>) and builds what runs on it; an <see cref="ArgumentException"/> from that
    /// object's checks (more devices than the plugin has, for example) becomes a usage error.
    /// </summary>
    public static T LoadFor<T>(string? nameOrPath, Func<PjrtPlugin, T> create)
    {
        var plugin = Load(nameOrPath);
        try
        {
            return create(plugin);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message, e);
        }
    }
}

internal class PluginSettings : CommandSettings
{
    [CommandOption("--plugin <NAME|PATH>")]
    [Description(PluginOption.Description)]
    public string? Plugin { get; init; }

    [CommandOption("--json")]
    [Description("Print JSON.")]
    public bool Json { get; init; }
}
