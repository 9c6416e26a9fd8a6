using Spectre.Console;
using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune plugin info</c>: what a PJRT plugin is and which devices it offers.</summary>
internal sealed class PluginInfoCommand : Command<PluginSettings>
{
    public override int Execute(CommandContext context, PluginSettings settings, CancellationToken cancellationToken)
    {
        var plugin = PluginOption.Load(settings.Plugin);
        var d = plugin.Describe();
        if (settings.Json)
        {
            Output.PrintJson(new
            {
                path = d.Path,
                platform_name = d.PlatformName,
                platform_version = d.PlatformVersion,
                api_version = new { major = d.MajorVersion, minor = d.MinorVersion },
                attributes = d.Attributes,
                devices = d.Devices.Select(v => new { id = v.Id, kind = v.Kind, process_index = v.ProcessIndex, attributes = v.Attributes }),
                memories = d.Memories.Select(m => new { id = m.Id, kind = m.Kind, device_ids = m.DeviceIds }),
            });
            return ExitCodes.Success;
        }

        AnsiConsole.MarkupLineInterpolated($"[bold]{d.PlatformName}[/] {d.PlatformVersion}");
        AnsiConsole.MarkupLineInterpolated($"plugin {d.Path}, PJRT C API {d.MajorVersion}.{d.MinorVersion}");
        foreach (var (key, value) in d.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            AnsiConsole.MarkupLineInterpolated($"  {key} = {Format(value)}");
        }

        var table = new Table().AddColumns("device", "kind", "process");
        foreach (var v in d.Devices)
        {
            table.AddRow($"{v.Id}", Markup.Escape(v.Kind), $"{v.ProcessIndex}");
        }

        AnsiConsole.Write(table);
        foreach (var m in d.Memories)
        {
            AnsiConsole.MarkupLineInterpolated($"memory {m.Id} ({m.Kind}) on devices {string.Join(",", m.DeviceIds)}");
        }

        return ExitCodes.Success;
    }

    private static string Format(object value) => value switch
    {
        long[] list => "[" + string.Join(", ", list) + "]",
        _ => $"{value}",
    };
}
