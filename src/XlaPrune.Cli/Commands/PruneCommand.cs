using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Pruning;
using XlaPrune.Torch;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune prune</c>: plans which channels to keep and writes the pruned checkpoint.</summary>
internal sealed class PruneCommand : Command<PruneCommand.Settings>
{
    internal sealed class Settings : CheckpointSettings
    {
        [CommandOption("--method <M>")]
        [Description("slimming (|BatchNorm γ|) or l1 (filter L1 norm).")]
        [DefaultValue("slimming")]
        public string Method { get; init; } = "slimming";

        [CommandOption("--ratio <R>")]
        [Range(0.0, 1.0, MaximumIsExclusive = true)]
        [Description("Fraction of all conv channels to remove, in [[0, 1): one global threshold across layers.")]
        public double Ratio { get; init; }

        [CommandOption("--floor <F>")]
        [Description("Every layer keeps at least this fraction of its channels.")]
        [DefaultValue(0.1)]
        public double Floor { get; init; } = 0.1;

        [CommandOption("--round-to <N>")]
        [Range(1, 65_536)]
        [Description("Round kept counts to a multiple of N.")]
        [DefaultValue(1)]
        public int RoundTo { get; init; } = 1;

        [CommandOption("--rounding <MODE>")]
        [Description("down or nearest.")]
        [DefaultValue("down")]
        public string Rounding { get; init; } = "down";

        [CommandOption("--tile-aware")]
        [Description("Round kept counts to whole 128-channel TPU tiles (nearest), where that lowers padded bytes.")]
        public bool TileAware { get; init; }

        [CommandOption("--reload")]
        [Description("Keep the surviving weights (default).")]
        public bool Reload { get; init; }

        [CommandOption("--scratch")]
        [Description("Initialise the pruned model afresh instead.")]
        public bool Scratch { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed of the fresh weights with --scratch.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("--dataset <NAME>")]
        [Description("Evaluate the pruned model (before retraining) on this test set: fashion-mnist or cifar10; none to skip.")]
        [DefaultValue("fashion-mnist")]
        public string Dataset { get; init; } = "fashion-mnist";

        [CommandOption("--out <DIR>")]
        [Description("Folder for plan.json and pruned.safetensors.")]
        [OutputDirectory("plan.json", "pruned.safetensors")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Checkpoint) || string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--checkpoint and --out are required");
            }

            if (Reload && Scratch)
            {
                return ValidationResult.Error("--reload and --scratch exclude each other");
            }

            if (!(Ratio >= 0 && Ratio < 1))
            {
                return ValidationResult.Error($"--ratio must be in [0, 1), got {Ratio.ToString(CultureInfo.InvariantCulture)}");
            }

            if (!(Floor >= 0 && Floor <= 1))
            {
                return ValidationResult.Error($"--floor must be in [0, 1], got {Floor.ToString(CultureInfo.InvariantCulture)}");
            }

            if (RoundTo < 1)
            {
                return ValidationResult.Error($"--round-to must be at least 1, got {RoundTo}");
            }

            var common = base.Validate();
            if (!common.Successful)
            {
                return common;
            }

            return Rounding is "down" or "nearest" ? ValidationResult.Success() : ValidationResult.Error($"--rounding: unknown mode '{Rounding}' (known: down, nearest)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        IChannelImportance importance;
        try
        {
            importance = ChannelImportance.ByName(settings.Method);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, "--method: " + ModelSettings.WithoutParameterName(e), e);
        }

        // Every input is read and checked before anything is written.
        var (spec, weights, _) = Inputs.LoadCheckpoint(settings.Checkpoint);
        var test = settings.Dataset == "none" ? null : Inputs.LoadDataset(settings.Dataset, settings.DatasetDir, train: false, settings.TestLimit, spec.ImageSize);
        if (test is not null && (test.Channels != spec.InputChannels || test.Size != spec.ImageSize || test.Classes > spec.Classes))
        {
            throw new CliException(ExitCodes.BadInput,
                $"checkpoint {settings.Checkpoint} is for {spec.InputChannels}x{spec.ImageSize}x{spec.ImageSize} images and {spec.Classes} classes, {test.Name} has {test.Channels}x{test.Size}x{test.Size} and {test.Classes}");
        }

        var options = new PlanOptions
        {
            Ratio = settings.Ratio,
            FloorFraction = settings.Floor,
            RoundTo = settings.RoundTo,
            Rounding = settings.Rounding == "nearest" ? RoundingMode.Nearest : RoundingMode.Down,
            CustomRounding = settings.TileAware ? new TileAwareRounding() : null,
        };
        PruningPlan plan;
        try
        {
            plan = Planner.Plan(spec, weights, importance, options, Path.GetFullPath(settings.Checkpoint));
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, ModelSettings.WithoutParameterName(e), e);
        }

        var (pruned, prunedWeights) = Surgery.Apply(plan, weights, reload: !settings.Scratch, settings.Seed);
        // With --tile-aware, the plain plan's figures are reported beside it (train step at batch 128).
        var plain = settings.TileAware ? Planner.Plan(spec, weights, importance, options with { CustomRounding = null }).PrunedModel : null;
        long PaddedBytes(Vgg16Spec s) => TrainStepLayout.Totals(TrainStepLayout.Tensors(Programs.Vgg16Programs.TrainStep(s, 128).Module)).Held.Preferred;
        var planPath = Path.Combine(settings.Out, "plan.json");
        var checkpointPath = Path.Combine(settings.Out, "pruned.safetensors");
        Inputs.EnsureWritableDirectory(settings.Out);
        try
        {
            TrainingCheckpoint.Save(checkpointPath, pruned, prunedWeights, null, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write {checkpointPath}: {Output.OutputReason(checkpointPath, e)}", e);
        }

        try
        {
            Output.WriteTextAtomically(planPath, plan.ToJson());
        }
        catch (CliException)
        {
            File.Delete(checkpointPath); // the two files go together
            throw;
        }

        double? accuracy = test is null ? null : Evaluator.Accuracy(pruned, prunedWeights, test);
        var summary = new
        {
            test_accuracy = accuracy,
            @params = pruned.ParameterCount,
            flops = pruned.FlopsPerImage,
            achieved_ratio = plan.AchievedRatio,
            conv_channels = pruned.ConvChannels,
            tpu_padded_bytes = PaddedBytes(pruned),
            plain_conv_channels = plain?.ConvChannels,
            plain_tpu_padded_bytes = plain is null ? (long?)null : PaddedBytes(plain),
            plan = planPath,
            checkpoint = checkpointPath,
        };
        if (settings.Json)
        {
            Output.PrintJson(summary);
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"{pruned.Describe()}: removed {plan.AchievedRatio:P1} of the channels; params {pruned.ParameterCount:N0}; accuracy before retraining {(accuracy is { } a ? a.ToString("F4", CultureInfo.InvariantCulture) : "not measured")}");
            if (plain is not null)
            {
                AnsiConsole.MarkupLineInterpolated($"tile-aware: {PaddedBytes(pruned):N0} TPU-padded bytes per train step at batch 128, against {PaddedBytes(plain):N0} for the plain plan {plain.Describe()}");
            }

            AnsiConsole.MarkupLineInterpolated($"plan {planPath}, checkpoint {checkpointPath}");
        }

        return ExitCodes.Success;
    }
}
