using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Programs;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune hlo</c>: writes a model's train-step or eval-step program.</summary>
internal sealed class HloCommand : Command<HloCommand.Settings>
{
    internal sealed class Settings : ProgramSettings
    {
        [CommandOption("--plan <PLAN.json>")]
        [Description("Build the pruned model of this plan (it must be for the model the options describe).")]
        [InputFile]
        public string? Plan { get; init; }

        [CommandOption("--program <NAME>")]
        [Description("train-step or eval-step.")]
        [DefaultValue("train-step")]
        public string Program { get; init; } = "train-step";

        [CommandOption("--batch <B>")]
        [Description("Images per step.")]
        [Range(1, 65_536)]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--out <FILE.pb>")]
        [Description("Serialized HloModuleProto.")]
        [OutputFile]
        public string Out { get; init; } = "";

        [CommandOption("--text <FILE.hlo>")]
        [Description("Also write XLA's HLO text.")]
        [OutputFile]
        public string? Text { get; init; }

        [CommandOption("--mlir <FILE.mlir>")]
        [Description("Also write StableHLO MLIR text.")]
        [OutputFile]
        public string? Mlir { get; init; }

        [CommandOption("--compile-options <FILE.pb>")]
        [Description("Also write the serialized CompileOptionsProto (one replica, one partition) that compiles it.")]
        [OutputFile]
        public string? CompileOptions { get; init; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful)
            {
                return b;
            }

            if (string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--out: the .pb file to write is required");
            }

            if (Batch < 1)
            {
                return ValidationResult.Error($"--batch must be at least 1, got {Batch}");
            }

            return Program is "train-step" or "eval-step"
                ? ValidationResult.Success()
                : ValidationResult.Error($"--program: unknown program '{Program}' (known: train-step, eval-step)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        foreach (var output in new[] { settings.Out, settings.Text, settings.Mlir, settings.CompileOptions }.OfType<string>())
        {
            Output.CheckOutputFile(output);
        }

        var spec = PlanOption.Apply(settings.Plan, settings.BuildSpec());
        Vgg16Program program;
        try
        {
            program = settings.Program == "train-step" ? Vgg16Programs.TrainStep(spec, settings.Batch, format: settings.Format) : Vgg16Programs.EvalStep(spec, settings.Batch, settings.Format);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, "--batch: " + ModelSettings.WithoutParameterName(e), e);
        }

        var files = new List<(string, byte[])> { (settings.Out, program.Module.ToProtoBytes()) };
        if (settings.Text is not null)
        {
            files.Add((settings.Text, System.Text.Encoding.UTF8.GetBytes(program.Module.ToHloText())));
        }

        if (settings.Mlir is not null)
        {
            files.Add((settings.Mlir, System.Text.Encoding.UTF8.GetBytes(program.Module.ToMlirText())));
        }

        if (settings.CompileOptions is not null)
        {
            files.Add((settings.CompileOptions, Pjrt.CompileOptions.Default.ToProtoBytes()));
        }

        Output.WriteFilesAtomically(files); // all or none

        AnsiConsole.MarkupLineInterpolated($"{settings.Program} of {spec.Describe()} at batch {settings.Batch}: {program.Arguments.Count} arguments, {program.Results.Count} results -> {settings.Out}");
        return ExitCodes.Success;
    }
}
