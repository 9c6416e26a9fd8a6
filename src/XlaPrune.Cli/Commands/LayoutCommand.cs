using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Pruning;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune layout</c>: logical and TPU-padded bytes of every tensor of a train step.</summary>
internal sealed class LayoutCommand : Command<LayoutCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--plan <PLAN.json>")]
        [Description("A pruning plan (from xlaprune prune); its model replaces the model options.")]
        public string? Plan { get; init; }

        [CommandOption("--ratio <R>")]
        [Description("With --method uniform: remove this fraction of every conv's channels.")]
        public double? Ratio { get; init; }

        [CommandOption("--method <M>")]
        [Description("uniform (the only method that needs no weights).")]
        public string? Method { get; init; }

        [CommandOption("--dtype <T>")]
        [DefaultValue("f32")]
        public string Dtype { get; init; } = "f32";

        [CommandOption("--batch <B>")]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--json")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful)
            {
                return b;
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
                }),
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
        foreach (var t in tensors)
        {
            table.AddRow(Markup.Escape(t.Name), Markup.Escape(t.Layout.ToString()), $"{t.LogicalBytes:N0}", $"{t.PaddedBytes:N0}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{model.Describe()}, batch {settings.Batch}, {settings.Dtype}");
        AnsiConsole.MarkupLineInterpolated($"total: logical {totals.LogicalBytes:N0} B, TPU-padded {totals.PaddedBytes:N0} B (x{totals.PaddingFactor:F2}); unpruned: {unpruned.LogicalBytes:N0} B and {unpruned.PaddedBytes:N0} B");
        return ExitCodes.Success;
    }
}
