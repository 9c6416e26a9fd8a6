using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace XlaPrune.Cli;

internal sealed class SpecCommand : Command<SpecCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = settings.BuildSpec();
        if (settings.Json)
        {
            Output.PrintJson(new
            {
                model = spec.Describe(),
                @params = spec.ParameterCount,
                macs = spec.MacsPerImage,
                flops = spec.FlopsPerImage,
                conv_channels = spec.ConvChannels,
            });
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("layer", "in", "out", "size", "MACs/image");
        foreach (var c in spec.Convs)
        {
            table.AddRow(c.Name, $"{c.InChannels}", $"{c.OutChannels}", $"{c.InputSize}", $"{c.MacsPerImage:N0}");
        }

        foreach (var l in spec.Linears)
        {
            table.AddRow(l.Name, $"{l.InFeatures}", $"{l.OutFeatures}", "", $"{l.MacsPerImage:N0}");
        }

        AnsiConsole.MarkupLine(Markup.Escape(spec.Describe()));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"params {spec.ParameterCount:N0}, forward MACs/image {spec.MacsPerImage:N0}");
        return ExitCodes.Success;
    }
}
