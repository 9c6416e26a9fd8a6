using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Models;
using XlaPrune.Study;
using XlaPrune.Torch;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune train</c>: trains a model with the TorchSharp reference trainer or the HLO train step on a plugin.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    internal sealed class Settings : DatasetSettings
    {
        [CommandOption("--checkpoint <FILE>")]
        [Description("Start from this checkpoint (e.g. a pruned.safetensors from prune): its model replaces the model options.")]
        [InputFile]
        public string? Checkpoint { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Passes over the training set.")]
        [Range(1, 100_000)]
        [DefaultValue(1)]
        public int Epochs { get; init; } = 1;

        [CommandOption("--limit <N>")]
        [Description("Use only the first N training images.")]
        [Range(1, int.MaxValue)]
        public int? Limit { get; init; }

        [CommandOption("--batch <B>")]
        [Description("Images per step.")]
        [Range(1, 65_536)]
        [DefaultValue(128)]
        public int Batch { get; init; } = 128;

        [CommandOption("--lr <LR>")]
        [Description("Initial learning rate (SGD, momentum 0.9).")]
        [DefaultValue(0.01)]
        public double LearningRate { get; init; } = 0.01;

        [CommandOption("--weight-decay <WD>")]
        [Description("L2 weight decay.")]
        [DefaultValue(0.0)]
        public double WeightDecay { get; init; }

        [CommandOption("--slimming-lambda <L>")]
        [Description("Network Slimming's L1 sparsity on BatchNorm scales (e.g. 1e-4); 0 for none.")]
        [DefaultValue(0.0)]
        public double SlimmingLambda { get; init; }

        [CommandOption("--schedule <S>")]
        [Description("constant, step (/10 at 50% and 75%) or cosine.")]
        [DefaultValue("constant")]
        public string Schedule { get; init; } = "constant";

        [CommandOption("--seed <S>")]
        [Description("Seed of the initial weights and of the batch order.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("--trainer <KIND>")]
        [Description("torch (the TorchSharp reference trainer) or pjrt (the HLO train step on a PJRT plugin).")]
        [DefaultValue("torch")]
        public string Trainer { get; init; } = "torch";

        [CommandOption("--plugin <NAME|PATH>")]
        [Description("With --trainer pjrt: " + PluginOption.Description)]
        public string? Plugin { get; init; }

        [CommandOption("--devices <N>")]
        [Description("With --trainer pjrt: devices to train on data-parallel (one replica each); --batch is the global batch.")]
        [Range(1, 1024)]
        [DefaultValue(1)]
        public int Devices { get; init; } = 1;

        [CommandOption("--sync-batchnorm")]
        [Description("With --devices above 1: BatchNorm statistics over the whole global batch instead of each device's shard.")]
        public bool SyncBatchNorm { get; init; }

        [CommandOption("--out <CHECKPOINT>")]
        [Description("Checkpoint to write (safetensors); an existing one of the same model is resumed.")]
        [OutputFile]
        [DefaultValue(DefaultOut)]
        public string Out { get; init; } = DefaultOut;

        public const string DefaultOut = "model.safetensors";

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful)
            {
                return baseResult;
            }

            if (Trainer is not ("torch" or "pjrt"))
            {
                return ValidationResult.Error($"--trainer: unknown trainer '{Trainer}' (known: torch, pjrt)");
            }

            if (Devices < 1 || Devices > 1024)
            {
                return ValidationResult.Error($"--devices must be between 1 and 1024, got {Devices}");
            }

            if (Devices > 1 && Trainer != "pjrt")
            {
                return ValidationResult.Error("--devices above 1 needs --trainer pjrt");
            }

            if (string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--out: the checkpoint to write is required");
            }

            if (Checkpoint is not null && AnyModelOption)
            {
                return ValidationResult.Error("--checkpoint: the model comes from the checkpoint; drop --variant, --width, --in-channels, --classes and --image-size");
            }

            if (Epochs < 1)
            {
                return ValidationResult.Error($"--epochs must be at least 1, got {Epochs}");
            }

            if (Batch < 1)
            {
                return ValidationResult.Error($"--batch must be at least 1, got {Batch}");
            }

            if (Trainer == "pjrt" && (Batch % Devices != 0 || Batch / Devices < 2))
            {
                return ValidationResult.Error($"--batch {Batch} does not split into --devices {Devices} shards of at least 2 images");
            }

            if (Limit < 1)
            {
                return ValidationResult.Error($"--limit must be at least 1, got {Limit}");
            }

            if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            {
                return ValidationResult.Error($"--lr must be a positive number, got {LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (WeightDecay < 0 || SlimmingLambda < 0)
            {
                return ValidationResult.Error("--weight-decay and --slimming-lambda must not be negative");
            }

            return Schedule is "constant" or "step" or "cosine"
                ? ValidationResult.Success()
                : ValidationResult.Error($"--schedule: unknown schedule '{Schedule}' (known: constant, step, cosine)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The model: the checkpoint's (a pruned model keeps its channels), else the options', with
        // input channels following the dataset unless --in-channels is given.
        Vgg16Spec spec;
        ModelWeights initial;
        if (settings.Checkpoint is { } from)
        {
            (spec, initial, _) = Inputs.LoadCheckpoint(from);
        }
        else
        {
            spec = settings.BuildSpec(defaultInChannels: Inputs.DatasetShape(settings.Dataset).Channels);
            initial = ModelWeights.Initialize(spec, settings.Seed);
        }

        var train = Inputs.LoadDataset(settings.Dataset, settings.DatasetDir, train: true, settings.Limit, spec.ImageSize);
        var test = Inputs.LoadDataset(settings.Dataset, settings.DatasetDir, train: false, settings.TestLimit, spec.ImageSize);
        var dir = Path.GetDirectoryName(Path.GetFullPath(settings.Out))!;
        Inputs.EnsureWritableDirectory(dir);
        var options = new TrainOptions
        {
            Epochs = settings.Epochs,
            // A batch larger than the set is the whole set in one step; the buffer is sized to what exists.
            BatchSize = Math.Max(1, Math.Min(settings.Batch, train.Count)),
            LearningRate = settings.LearningRate,
            Schedule = Enum.Parse<LrSchedule>(settings.Schedule, ignoreCase: true),
            Sgd = new SgdOptions(WeightDecay: settings.WeightDecay, SlimmingLambda: settings.SlimmingLambda),
            Seed = settings.Seed,
            CheckpointPath = settings.Out,
        };
        TrainResult result;
        try
        {
            using var pjrt = settings.Trainer == "pjrt"
                ? PluginOption.LoadFor(settings.Plugin, plugin => new PjrtModelTrainer(plugin, settings.Devices, settings.SyncBatchNorm))
                : null;
            result = Progress.Run(settings.Json, $"train {spec.Describe()}", (report, ct) => pjrt is null
                ? Trainer.Train(spec, initial, train, test, options, report, ct)
                : pjrt.Train(spec, initial, train, test, options, report, ct), cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write {settings.Out}: {Output.OutputReason(settings.Out, e)}", e);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.BadInput, ModelSettings.WithoutParameterName(e), e);
        }

        var summary = new
        {
            test_accuracy = result.TestAccuracy,
            @params = spec.ParameterCount,
            flops = spec.FlopsPerImage,
            epochs = settings.Epochs,
            last_epoch_loss = result.LastEpochLoss,
            seconds = result.Elapsed.TotalSeconds,
            checkpoint = settings.Out,
            model = spec.Describe(),
        };
        if (settings.Json)
        {
            Output.PrintJson(summary);
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"{spec.Describe()}: test accuracy {result.TestAccuracy:F4} after {settings.Epochs} epochs ({result.Elapsed.TotalSeconds:F0} s); checkpoint {settings.Out}");
        }

        return ExitCodes.Success;
    }
}
