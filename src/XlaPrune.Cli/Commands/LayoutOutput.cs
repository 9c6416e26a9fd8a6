using System.Text.Json;
using Spectre.Console;
using XlaPrune.Layout;
using XlaPrune.Programs;

namespace XlaPrune.Cli;

/// <summary>Formats the layout model's answers for <c>xlaprune layout</c>.</summary>
internal static class LayoutOutput
{
    /// <summary><c>--tensor SHAPE --role ROLE</c>: the candidates of one tensor, and the preferred one.</summary>
    public static int Tensor(string shape, string role, DataFormat format, bool json)
    {
        LayoutRange range;
        try
        {
            var (type, dims) = TensorShapeText.Parse(shape);
            var r = LayoutCandidates.ParseRole(role);
            var conv = r switch
            {
                LayoutClass.ConvActivation => format == DataFormat.Nhwc ? ConvDimensions.NhwcActivation : ConvDimensions.NchwActivation,
                LayoutClass.ConvKernel => format == DataFormat.Nhwc ? ConvDimensions.HwioKernel : ConvDimensions.OihwKernel,
                _ => null,
            };
            range = LayoutCandidates.For(r, type, dims, conv);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CliException(ExitCodes.Usage, "--tensor: " + (e is ArgumentException a ? ModelSettings.WithoutParameterName(a) : e.Message), e);
        }

        if (json)
        {
            Output.PrintJson(new
            {
                shape,
                role,
                data_format = format.Spelling(),
                logical_bytes = range.LogicalBytes,
                candidates = range.Candidates.Select(Candidate),
                preferred = Candidate(range.Preferred),
                rule = range.Rule,
                padded_bytes_min = range.MinPaddedBytes,
                padded_bytes_max = range.MaxPaddedBytes,
            });
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("candidate", "layout", "padded bytes", "x logical");
        foreach (var c in range.Candidates)
        {
            var mark = ReferenceEquals(c, range.Preferred) ? " (preferred)" : "";
            table.AddRow(Markup.Escape(c.Name + mark), Markup.Escape(c.Layout.ToString()), $"{c.PaddedBytes:N0}", $"{(double)c.PaddedBytes / range.LogicalBytes:F2}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"logical {range.LogicalBytes:N0} B; padded {range.MinPaddedBytes:N0}-{range.MaxPaddedBytes:N0} B; preferred {range.Preferred.Layout} by rule {range.Rule} (docs/layout.md)");
        return ExitCodes.Success;
    }

    /// <summary>JSON of a totals range, with the per-kind breakdown when given.</summary>
    public static object Totals(PaddedRange held, IReadOnlyDictionary<TensorKind, PaddedRange>? byKind) => new
    {
        logical_bytes = held.Logical,
        tpu_padded_bytes = held.Preferred,
        tpu_padded_bytes_min = held.Min,
        tpu_padded_bytes_max = held.Max,
        by_kind = byKind?.ToDictionary(kv => JsonNamingPolicy.SnakeCaseLower.ConvertName(kv.Key.ToString()), kv => new
        {
            logical_bytes = kv.Value.Logical,
            tpu_padded_bytes = kv.Value.Preferred,
            tpu_padded_bytes_min = kv.Value.Min,
            tpu_padded_bytes_max = kv.Value.Max,
        }),
    };

    private static object Candidate(LayoutCandidate c) => new { name = c.Name, layout = c.Layout.ToString(), padded_bytes = c.PaddedBytes };
}
