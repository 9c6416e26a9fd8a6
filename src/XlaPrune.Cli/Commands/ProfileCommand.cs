using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Pjrt;
using XlaPrune.Study;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune profile</c>: compiles and times a model's train step on a PJRT plugin.</summary>
internal sealed class ProfileCommand : Command<ProfileCommand.Settings>
{
    internal sealed class Settings : ProgramSettings
    {
        [CommandOption("--plugin <NAME|PATH>")]
        [Description(PluginOption.Description)]
        public string? Plugin { get; init; }

        [CommandOption("--plan <PLAN.json>")]
        [Description("Profile the pruned model of this plan (it must be for the model the options describe).")]
        [InputFile]
        public string? Plan { get; init; }

        [CommandOption("--batch <B>")]
        [Description("Images per step.")]
        [Range(1, 65_536)]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--steps <N>")]
        [Description("Timed steps.")]
        [Range(1, 1_000_000)]
        [DefaultValue(10)]
        public int Steps { get; init; } = 10;

        [CommandOption("--warmup <K>")]
        [Description("Untimed steps before them.")]
        [Range(0, 1_000_000)]
        [DefaultValue(2)]
        public int Warmup { get; init; } = 2;

        [CommandOption("--devices <N>")]
        [Description("Devices for a data-parallel step (one replica each); --batch is the global batch.")]
        [Range(1, 1024)]
        [DefaultValue(1)]
        public int Devices { get; init; } = 1;

        [CommandOption("--json")]
        [Description("Print JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            return !b.Successful ? b
                : Steps < 1 ? ValidationResult.Error($"--steps must be at least 1, got {Steps}")
                : Warmup < 0 ? ValidationResult.Error($"--warmup must be at least 0, got {Warmup}")
                : Batch < 2 ? ValidationResult.Error($"--batch must be at least 2 (BatchNorm's unbiased variance), got {Batch}")
                : Devices < 1 || Devices > 1024 ? ValidationResult.Error($"--devices must be between 1 and 1024, got {Devices}")
                : Batch % Devices != 0 || Batch / Devices < 2 ? ValidationResult.Error($"--batch {Batch} does not split into --devices {Devices} shards of at least 2 images")
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = PlanOption.Apply(settings.Plan, settings.BuildSpec());
        using var profiler = PluginOption.LoadFor(settings.Plugin, plugin => new PjrtStepProfiler(plugin, settings.Devices, settings.Format));
        ProfileResult r;
        try
        {
            r = profiler.Profile(spec, settings.Batch, settings.Steps, settings.Warmup, cancellationToken);
        }
        catch (PjrtException e)
        {
            throw new CliException(ExitCodes.Failure, $"PJRT: {PluginOption.CodeName(e.Code)}: {e.Message}", e);
        }

        if (settings.Json)
        {
            Output.PrintJson(new
            {
                plugin = new { platform_name = r.Plugin.PlatformName, platform_version = r.Plugin.PlatformVersion },
                model = spec.Describe(),
                batch = r.Batch,
                compile_ms = r.CompileMs,
                step_ms = new { median = r.StepMs.Median, p10 = r.StepMs.P10, p90 = r.StepMs.P90 },
                flops = r.Flops,
                memory = new
                {
                    argument_bytes = r.Memory.ArgumentBytes,
                    output_bytes = r.Memory.OutputBytes,
                    temp_bytes = r.Memory.TempBytes,
                    alias_bytes = r.Memory.AliasBytes,
                    peak_bytes = r.Memory.PeakBytes,
                },
            });
            return ExitCodes.Success;
        }

        AnsiConsole.MarkupLineInterpolated($"{spec.Describe()} train step at batch {r.Batch} on {r.Plugin.PlatformName} ({r.Plugin.PlatformVersion})");
        AnsiConsole.MarkupLineInterpolated($"compile {r.CompileMs:F0} ms; step median {r.StepMs.Median:F1} ms (p10 {r.StepMs.P10:F1}, p90 {r.StepMs.P90:F1}) over {r.Steps} steps after {r.Warmup} warm-up");
        AnsiConsole.MarkupLineInterpolated($"{r.Flops / 1e9:F2} GFLOP per step ({r.Flops / 1e6 / r.StepMs.Median:F2} GFLOP/s); peak memory {r.Memory.PeakBytes / 1048576.0:F1} MiB");
        return ExitCodes.Success;
    }
}
