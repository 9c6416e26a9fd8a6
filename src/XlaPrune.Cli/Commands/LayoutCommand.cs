using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Programs;
using XlaPrune.Pruning;
using XlaPrune.Study;

namespace XlaPrune.Cli;

/// <summary>
/// <c>xlaprune layout</c>: the candidate TPU layouts and padded bytes of every tensor of a train step (read from its
/// HLO module), or of one tensor with <c>--tensor</c>.
/// </summary>
internal sealed class LayoutCommand : Command<LayoutCommand.Settings>
{
    internal sealed class Settings : ProgramSettings
    {
        [CommandOption("--tensor <SHAPE>")]
        [Description("One tensor in XLA syntax, e.g. f32[[128,32,32,18]], dimensions in the --data-format order: its candidate layouts.")]
        public string? Tensor { get; init; }

        [CommandOption("--role <ROLE>")]
        [Description("With --tensor: conv-activation, conv-kernel, matrix or vector.")]
        public string? Role { get; init; }

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
        [Description("Model the program's float tensors as f32 or bf16.")]
        [DefaultValue("f32")]
        public string Dtype { get; init; } = "f32";

        [CommandOption("--batch <B>")]
        [Description("Global batch: images per step across --devices.")]
        [Range(1, 65_536)]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--devices <D>")]
        [Description("Devices the global batch is split over (data parallel); tensors are modelled at batch B/D.")]
        [DefaultValue(1)]
        public int Devices { get; init; } = 1;

        [CommandOption("--plugin <NAME|PATH>")]
        [Description("Also place every tensor on this PJRT plugin and report its real layout and on-device size beside the model's candidates.")]
        public string? Plugin { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--from-hlo <FILE>")]
        [Description("Report the buffers of an HLO text file with layouts (an after-optimizations dump) instead of the model.")]
        public string? FromHlo { get; init; }

        [CommandOption("--from-compiled")]
        [Description("Compile the train step for --topology on --plugin and report the compiler's layouts (docs/tpu.md).")]
        public bool FromCompiled { get; init; }

        [CommandOption("--topology <NAME>")]
        [Description("With --from-compiled: the topology to compile for (cpu:4 on our plugin, v5e:2x2 in libtpu).")]
        public string? Topology { get; init; }

        [CommandOption("--topology-option <KEY=VALUE>")]
        [Description("With --from-compiled: a topology create option; repeatable.")]
        public string[] TopologyOptions { get; init; } = [];

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful)
            {
                return b;
            }

            if (FromHlo is not null && FromCompiled)
            {
                return ValidationResult.Error("--from-hlo excludes --from-compiled");
            }

            if (FromCompiled != (Topology is not null))
            {
                return ValidationResult.Error("--from-compiled and --topology go together");
            }

            if (TopologyOptions.Length > 0 && Topology is null)
            {
                return ValidationResult.Error("--topology-option needs --topology");
            }

            if ((Tensor is null) != (Role is null))
            {
                return ValidationResult.Error("--tensor and --role go together");
            }

            if (Role is not null and not ("conv-activation" or "conv-kernel" or "matrix" or "vector"))
            {
                return ValidationResult.Error($"--role: unknown role '{Role}' (known: conv-activation, conv-kernel, matrix, vector)");
            }

            if (Tensor is not null && (Plan ?? Method ?? Plugin) is not null)
            {
                return ValidationResult.Error("--tensor excludes --plan, --ratio, --method and --plugin");
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

            if (Devices < 1)
            {
                return ValidationResult.Error("--devices must be at least 1");
            }

            if (Batch % Devices != 0)
            {
                return ValidationResult.Error($"--batch ({Batch}) must be a multiple of --devices ({Devices})");
            }

            return Dtype is "f32" or "bf16" ? ValidationResult.Success() : ValidationResult.Error($"--dtype: unknown element type '{Dtype}' (known: f32, bf16)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        settings.Tensor is not null ? LayoutOutput.Tensor(settings.Tensor, settings.Role!, settings.Format, settings.Json) : TrainStep(settings);

    private static int TrainStep(Settings settings)
    {
        if (settings.FromHlo is not null)
        {
            return LayoutFromProgram.FromHlo(settings.FromHlo, settings.Json);
        }

        var original = settings.Plan is null ? settings.BuildSpec() : PlanOption.Read(settings.Plan).Model;
        var model = settings.Plan is not null ? PlanOption.Read(settings.Plan).PrunedModel
            : settings.Ratio is { } ratio ? Planner.Uniform(original, ratio) : original;
        if (settings.FromCompiled)
        {
            return LayoutFromProgram.FromCompiled(model, settings.Batch, settings.Plugin, settings.Topology!, settings.TopologyOptions, settings.Json);
        }

        var type = TileRules.Parse(settings.Dtype);
        var batch = settings.Batch / settings.Devices;
        IReadOnlyList<ModelledTensor> Tensors(Vgg16Spec spec)
        {
            try
            {
                return TrainStepLayout.Tensors(Vgg16Programs.TrainStep(spec, batch, format: settings.Format).Module, type);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCodes.Usage, $"--batch: per-device batch {batch}: {ModelSettings.WithoutParameterName(e)}", e);
            }
        }

        var tensors = Tensors(model);
        var totals = TrainStepLayout.Totals(tensors);
        var unpruned = TrainStepLayout.Totals(Tensors(original));
        // Only the tensors held across the step are placed on the device (temporaries are not all live at once).
        var device = settings.Plugin is null ? null : DeviceLayoutProbe.Measure(PluginOption.Load(settings.Plugin), [.. tensors.Where(t => t.Kind != TensorKind.Temporary)]);
        DeviceTensor? OnDevice(ModelledTensor t) => device is not null && device.TryGetValue(t.Name, out var d) ? d : null;
        if (settings.Json)
        {
            Output.PrintJson(new
            {
                model = model.Describe(),
                batch = settings.Batch,
                devices = settings.Devices,
                per_device_batch = batch,
                data_format = settings.DataFormat,
                dtype = settings.Dtype,
                tensors = tensors.Select(t => new
                {
                    name = t.Name,
                    kind = JsonNamingPolicy.SnakeCaseLower.ConvertName(t.Kind.ToString()),
                    layer = t.Layer,
                    shape = t.Range.Preferred.Layout.Dims,
                    role = LayoutCandidates.Spelling(t.Range.Role),
                    layout = t.Range.Preferred.Layout.ToString(),
                    rule = t.Range.Rule,
                    logical_bytes = t.LogicalBytes,
                    tpu_padded_bytes = t.PaddedBytes,
                    tpu_padded_bytes_min = t.Range.MinPaddedBytes,
                    tpu_padded_bytes_max = t.Range.MaxPaddedBytes,
                    device_bytes = OnDevice(t)?.Bytes,
                    device_layout = OnDevice(t)?.Layout,
                }),
                device_platform = device is null ? null : settings.Plugin,
                device_total_bytes = device?.Values.Sum(d => d.Bytes),
                totals = LayoutOutput.Totals(totals.Held, totals.ByKind),
                unpruned_totals = LayoutOutput.Totals(unpruned.Held, null),
            });
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("tensor", "kind", "preferred layout", "logical", "padded (preferred)", "padded range");
        if (device is not null)
        {
            table.AddColumns("device layout", "device bytes");
        }

        foreach (var t in tensors)
        {
            var row = new List<string>
            {
                Markup.Escape(t.Name), t.Kind.ToString(), Markup.Escape(t.Range.Preferred.Layout.ToString()), $"{t.LogicalBytes:N0}", $"{t.PaddedBytes:N0}",
                $"{t.Range.MinPaddedBytes:N0}-{t.Range.MaxPaddedBytes:N0}",
            };
            if (device is not null)
            {
                row.Add(Markup.Escape(OnDevice(t)?.Layout ?? ""));
                row.Add(OnDevice(t) is { } d ? $"{d.Bytes:N0}" : "");
            }

            table.AddRow([.. row]);
        }

        AnsiConsole.Write(table);
        var h = totals.Held;
        AnsiConsole.MarkupLineInterpolated($"{model.Describe()}, batch {settings.Batch} over {settings.Devices} device(s), {settings.DataFormat}, {settings.Dtype}");
        AnsiConsole.MarkupLineInterpolated($"held across the step: logical {h.Logical:N0} B; TPU-padded {h.Preferred:N0} B preferred, range {h.Min:N0}-{h.Max:N0} B; unpruned: {unpruned.Held.Logical:N0} B logical, {unpruned.Held.Preferred:N0} B preferred ({unpruned.Held.Min:N0}-{unpruned.Held.Max:N0})");
        return ExitCodes.Success;
    }
}
