using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Pruning;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune layout</c>: logical and TPU-padded bytes of every tensor of a train step.</summary>
internal sealed class LayoutCommand : Command<LayoutCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--plan <PLAN.json>")]
        [Description("A pruning plan (from xlaprune prune); its model replaces the model options.")]
        [InputFile]
        public string? Plan { get; init; }

        [CommandOption("--ratio <R>")]
        [Range(0.0, 1.0, MaximumIsExclusive = true)]
        [Description("With --method uniform: remove this fraction of every conv's channels.")]
        public double? Ratio { get; init; }

        [CommandOption("--method <M>")]
        [Description("uniform (the only method that needs no weights).")]
        public string? Method { get; init; }

        [CommandOption("--dtype <T>")]
        [Description("Element type of the tensors: f32 or bf16.")]
        [DefaultValue("f32")]
        public string Dtype { get; init; } = "f32";

        [CommandOption("--batch <B>")]
        [Description("Images per step.")]
        [Range(1, 65_536)]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--plugin <NAME|PATH>")]
        [Description("Also place every tensor on this PJRT plugin and report its real layout and on-device size beside the model's prediction.")]
        public string? Plugin { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful)
            {
                return b;
            }

            if (Plugin is not null && Dtype != "f32")
            {
                return ValidationResult.Error("--plugin measures f32 tensors only; drop --dtype or use f32");
            }

            if (Plan is not null && (Ratio is not null || Method is not null))
            {
                return ValidationResult.Error("--plan excludes --ratio and --method");
            }

            if ((Ratio is null) != (Method is null))
            {
                return ValidationResult.Error("--ratio and --method go together");
            }

            if (Method is not null and not "uniform")
            {
                return ValidationResult.Error($"--method: unknown method '{Method}' (known: uniform)");
            }

            if (Ratio is { } r && !(r >= 0 && r < 1))
            {
                return ValidationResult.Error($"--ratio must be in [0, 1), got {r.ToString(CultureInfo.InvariantCulture)}");
            }

            if (Batch < 1)
            {
                return ValidationResult.Error("--batch must be at least 1");
            }

            return Dtype is "f32" or "bf16" ? ValidationResult.Success() : ValidationResult.Error($"--dtype: unknown element type '{Dtype}' (known: f32, bf16)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Vgg16Spec original, model;
        if (settings.Plan is not null)
        {
            PruningPlan plan;
            try
            {
                plan = PruningPlan.FromJson(System.Text.Encoding.UTF8.GetString(Output.ReadInput(settings.Plan, "pruning plan")));
            }
            catch (FormatException e)
            {
                throw new CliException(ExitCodes.BadInput, $"{settings.Plan}: {e.Message}", e);
            }

            (original, model) = (plan.Model, plan.PrunedModel);
        }
        else
        {
            original = settings.BuildSpec();
            var keep = 1 - (settings.Ratio ?? 0);
            model = original.WithConvChannels([.. original.ConvChannels.Select(c => Math.Max(1, (int)Math.Round(c * keep, MidpointRounding.AwayFromZero)))]);
        }

        var type = TileRules.Parse(settings.Dtype);
        var tensors = TpuLayoutModel.TrainStepTensors(model, settings.Batch, type);
        var totals = TpuLayoutModel.Totals(tensors);
        var unpruned = TpuLayoutModel.Totals(TpuLayoutModel.TrainStepTensors(original, settings.Batch, type));
        var device = settings.Plugin is null ? null : MeasureOnDevice(settings.Plugin, tensors);
        if (settings.Json)
        {
            Output.PrintJson(new
            {
                model = model.Describe(),
                batch = settings.Batch,
                dtype = settings.Dtype,
                tensors = tensors.Select(t => new
                {
                    name = t.Name,
                    kind = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(t.Kind.ToString()),
                    layer = t.Layer,
                    shape = t.Layout.Dims,
                    layout = t.Layout.ToString(),
                    logical_bytes = t.LogicalBytes,
                    tpu_padded_bytes = t.PaddedBytes,
                    device_bytes = device?[t.Name].Bytes,
                    device_layout = device?[t.Name].Layout,
                }),
                device_platform = device is null ? null : settings.Plugin,
                device_total_bytes = device?.Values.Sum(d => d.Bytes),
                totals = new
                {
                    logical_bytes = totals.LogicalBytes,
                    tpu_padded_bytes = totals.PaddedBytes,
                    by_kind = totals.ByKind.ToDictionary(kv => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kv.Key.ToString()), kv => new { logical_bytes = kv.Value.Logical, tpu_padded_bytes = kv.Value.Padded }),
                },
                unpruned_totals = new { logical_bytes = unpruned.LogicalBytes, tpu_padded_bytes = unpruned.PaddedBytes },
            });
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("tensor", "layout", "logical", "TPU-padded");
        if (device is not null)
        {
            table.AddColumns("device layout", "device bytes");
        }

        foreach (var t in tensors)
        {
            var row = new List<string> { Markup.Escape(t.Name), Markup.Escape(t.Layout.ToString()), $"{t.LogicalBytes:N0}", $"{t.PaddedBytes:N0}" };
            if (device is not null)
            {
                row.Add(Markup.Escape(device[t.Name].Layout));
                row.Add($"{device[t.Name].Bytes:N0}");
            }

            table.AddRow([.. row]);
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{model.Describe()}, batch {settings.Batch}, {settings.Dtype}");
        AnsiConsole.MarkupLineInterpolated($"total: logical {totals.LogicalBytes:N0} B, TPU-padded {totals.PaddedBytes:N0} B (x{totals.PaddingFactor:F2}); unpruned: {unpruned.LogicalBytes:N0} B and {unpruned.PaddedBytes:N0} B");
        return ExitCodes.Success;
    }

    // Places each tensor (zero-filled) on the plugin's first device and reads back what the plugin
    // reports: its memory layout (minor_to_major and tiles) and its on-device size.
    private static Dictionary<string, (long Bytes, string Layout)> MeasureOnDevice(string plugin, IReadOnlyList<TensorLayout> tensors)
    {
        using var client = PluginOption.Load(plugin).CreateClient();
        var result = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            using var buffer = client.BufferFromHost<float>(new float[t.Layout.Dims.Aggregate(1L, (a, d) => a * d)], [.. t.Layout.Dims]);
            var layout = buffer.GetMemoryLayout();
            var text = "{" + string.Join(",", layout.MinorToMajor) + (layout.Tiles.Count > 0 ? ":" + string.Concat(layout.Tiles.Select(x => "T(" + string.Join(",", x) + ")")) : "") + "}";
            result[t.Name] = (buffer.OnDeviceSizeInBytes, text);
        }

        return result;
    }
}
