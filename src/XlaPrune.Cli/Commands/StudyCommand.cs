using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Pjrt;
using XlaPrune.Study;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune study</c>: the paper's three figures from one command.</summary>
internal sealed class StudyCommand : Command<StudyCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--preset <NAME>")]
        [Description("quick (Fashion-MNIST, VGG-16 at 1/8 width, minutes on a CPU), standard (all of Fashion-MNIST, 3 seeds, about 30 minutes on 2 idle cores) or paper (CIFAR-10 or, with --variant imagenet, an ImageNet folder; full VGG-16, for an accelerator).")]
        [DefaultValue("quick")]
        public string Preset { get; init; } = "quick";

        [CommandOption("--plugin <NAME|PATH>")]
        [Description(PluginOption.Description)]
        public string? Plugin { get; init; }

        [CommandOption("--dataset <NAME>")]
        [Description("fashion-mnist or cifar10 (default: the preset's).")]
        public string? Dataset { get; init; }

        [CommandOption("--dataset-dir <DIR>")]
        [Description("Folder of the dataset files (required for cifar10).")]
        public string? DatasetDir { get; init; }

        [CommandOption("--methods <LIST>")]
        [Description("Comma-separated: slimming-reload, slimming-scratch, l1-reload, l1-scratch.")]
        public string? Methods { get; init; }

        [CommandOption("--ratios <LIST>")]
        [Description("Comma-separated pruned ratios in [[0, 1), e.g. 0,0.1,0.5.")]
        public string? Ratios { get; init; }

        [CommandOption("--seeds <N>")]
        [Description("Seeds 0..N-1; each trains one original model that every method of that seed prunes (default: the preset's).")]
        [Range(1, 1000)]
        public int? Seeds { get; init; }

        [CommandOption("--variant <VARIANT>")]
        [Description("cifar (the preset's model) or imagenet (224x224 input, classifier 4096-4096-classes, classes = the class folders of --dataset-dir/train; dataset imagenet-folder).")]
        [DefaultValue("cifar")]
        public string Variant { get; init; } = "cifar";

        [CommandOption("--width <W>")]
        [Description("Channel width multiplier of VGG-16 (default: the preset's).")]
        [Range(0.0, 16.0, MinimumIsExclusive = true)]
        public double? Width { get; init; }

        [CommandOption("--l1-scope <SCOPE>")]
        [Description("layer (the same ratio in every layer, as Li et al.) or global (one threshold across layers) for the l1 methods.")]
        [DefaultValue("layer")]
        public string L1Scope { get; init; } = "layer";

        [CommandOption("--train-limit <N>")]
        [Range(1, int.MaxValue)]
        [Description("Use only the first N training images (default: the preset's).")]
        public int? TrainLimit { get; init; }

        [CommandOption("--test-limit <N>")]
        [Range(1, int.MaxValue)]
        [Description("Use only the first N test images (default: the preset's).")]
        public int? TestLimit { get; init; }

        [CommandOption("--baseline-epochs <N>")]
        [Range(1, 100_000)]
        [Description("Epochs of the baseline (default: the preset's).")]
        public int? BaselineEpochs { get; init; }

        [CommandOption("--retrain-epochs <N>")]
        [Range(0, 100_000)]
        [Description("Epochs of retraining after pruning (default: the preset's).")]
        public int? RetrainEpochs { get; init; }

        [CommandOption("--trainer <KIND>")]
        [Description("torch (TorchSharp reference) or pjrt (the HLO train step on the plugin).")]
        [DefaultValue("torch")]
        public string Trainer { get; init; } = "torch";

        [CommandOption("--devices <N>")]
        [Description("Devices of the plugin for the data-parallel train step (profiling, and training with --trainer pjrt); the batch is global.")]
        [Range(1, 1024)]
        [DefaultValue(1)]
        public int Devices { get; init; } = 1;

        [CommandOption("--data-format <F>")]
        [Description("nhwc (default) or nchw: dimension order of the HLO programs profiled and trained on the plugin.")]
        [DefaultValue(DataFormatOption.Default)]
        public string DataFormat { get; init; } = DataFormatOption.Default;

        [CommandOption("--tile-aware")]
        [Description("Round kept channels to whole 128-channel TPU tiles.")]
        public bool TileAware { get; init; }

        [CommandOption("--topology <NAME>")]
        [Description("Also compile every cell's train step for this topology without a client (cpu or cpu:N on our plugin, for example v5e:2x2 in libtpu) and report the compiler's memory and layouts beside the measured and modelled ones (docs/tpu.md).")]
        public string? Topology { get; init; }

        [CommandOption("--topology-option <KEY=VALUE>")]
        [Description(TopologyCompile.OptionDescription)]
        public string[] TopologyOptions { get; init; } = [];

        [CommandOption("--topology-plugin <NAME|PATH>")]
        [Description("The plugin that compiles for --topology (default: --plugin), e.g. tpu while --plugin cpu profiles.")]
        public string? TopologyPlugin { get; init; }

        [CommandOption("--no-profile")]
        [Description("Skip step-time and memory profiling on the plugin.")]
        public bool NoProfile { get; init; }

        [CommandOption("--out <DIR>")]
        [OutputDirectory]
        [Description("Output folder; rerunning with the same folder resumes.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--out: the output folder is required");
            }

            if (Preset is not ("quick" or "standard" or "paper"))
            {
                return ValidationResult.Error($"--preset: unknown preset '{Preset}' (known: quick, standard, paper)");
            }

            if (Variant is not ("cifar" or "imagenet"))
            {
                return ValidationResult.Error($"--variant: unknown variant '{Variant}' (known: cifar, imagenet)");
            }

            if (L1Scope is not ("layer" or "global"))
            {
                return ValidationResult.Error($"--l1-scope: unknown scope '{L1Scope}' (known: layer, global)");
            }

            if (Width is { } w && !(w > 0 && w <= 1))
            {
                return ValidationResult.Error("--width must be in (0, 1]");
            }

            if (DataFormatOption.Check(DataFormat) is { } badFormat)
            {
                return badFormat;
            }

            if (Trainer is not ("torch" or "pjrt"))
            {
                return ValidationResult.Error($"--trainer: unknown trainer '{Trainer}' (known: torch, pjrt)");
            }

            if (Devices < 1 || Devices > 1024)
            {
                return ValidationResult.Error($"--devices must be between 1 and 1024, got {Devices}");
            }

            if (TrainLimit < 1 || TestLimit < 1)
            {
                return ValidationResult.Error("--train-limit and --test-limit must be at least 1");
            }

            if (Topology is null && (TopologyOptions.Length > 0 || TopologyPlugin is not null))
            {
                return ValidationResult.Error(TopologyOptions.Length > 0 ? "--topology-option needs --topology" : "--topology-plugin needs --topology");
            }

            if (BaselineEpochs < 1 || RetrainEpochs < 0)
            {
                return ValidationResult.Error("--baseline-epochs must be at least 1 and --retrain-epochs at least 0");
            }

            return Seeds < 1 ? ValidationResult.Error("--seeds must be at least 1") : ValidationResult.Success();
        }
    }

    // StudyOptions properties, as their ArgumentExceptions name them, to the options that set them.
    private static readonly Dictionary<string, string> s_optionOf = new(StringComparer.Ordinal)
    {
        [nameof(StudyOptions.Methods)] = "--methods",
        [nameof(StudyOptions.Ratios)] = "--ratios",
        [nameof(StudyOptions.Seeds)] = "--seeds",
    };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.Preset switch
        {
            "paper" => StudyOptions.Paper(settings.Out, settings.DatasetDir ?? throw new CliException(ExitCodes.Usage, "--dataset-dir is required for the paper preset (CIFAR-10 binary batches, or an ImageNet folder with --variant imagenet)")),
            "standard" => StudyOptions.Standard(settings.Out),
            _ => StudyOptions.Quick(settings.Out),
        };
        options = options with
        {
            Dataset = settings.Dataset ?? options.Dataset,
            DatasetDirectory = settings.DatasetDir ?? options.DatasetDirectory,
            Methods = settings.Methods is null ? options.Methods : ParseMethods(settings.Methods),
            Ratios = settings.Ratios is null ? options.Ratios : ParseRatios(settings.Ratios),
            Seeds = settings.Seeds ?? options.Seeds,
            L1Scope = settings.L1Scope == "global" ? Pruning.PlanScope.Global : Pruning.PlanScope.PerLayer,
            TrainLimit = settings.TrainLimit ?? options.TrainLimit,
            TestLimit = settings.TestLimit ?? options.TestLimit,
            BaselineEpochs = settings.BaselineEpochs ?? options.BaselineEpochs,
            RetrainEpochs = settings.RetrainEpochs ?? options.RetrainEpochs,
            TileAware = settings.TileAware,
            Trainer = settings.Trainer == "pjrt" ? TrainerKind.Pjrt : TrainerKind.Torch,
            DataFormat = DataFormatOption.Parse(settings.DataFormat),
        };
        if (settings.Width is { } width)
        {
            options = options with { Model = Models.Vgg16Spec.Cifar(options.Model.InputChannels, options.Model.Classes, width) };
        }

        if (options.Dataset == "cifar10" && options.Model.InputChannels != 3)
        {
            options = options with { Model = Models.Vgg16Spec.Cifar(3, 10, options.Model.Width) };
        }

        if (settings.Variant == "imagenet")
        {
            var folder = settings.DatasetDir ?? throw new CliException(ExitCodes.Usage, "--dataset-dir is required for --variant imagenet (a folder with train/ and val/ class folders)");
            try
            {
                options = options.ForImageNet(folder, Torch.Data.ImageFolder.ClassNames(Path.Combine(folder, "train")).Count);
            }
            catch (Torch.Data.DatasetException e)
            {
                throw new CliException(ExitCodes.BadInput, e.Message, e);
            }
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw CliException.FromArgument(e, s_optionOf);
        }

        var topologyOptions = settings.Topology is null ? null : TopologyCompile.ParseOptions(settings.TopologyOptions);
        _ = Inputs.LoadDataset(options.Dataset, options.DatasetDirectory, train: false, limit: 1, options.Model.ImageSize); // fail fast on missing data, before creating anything
        PjrtPlugin? plugin = settings.NoProfile && options.Trainer == TrainerKind.Torch ? null : PluginOption.Load(settings.Plugin);
        foreach (var (what, batch) in new[] { ("profiled", options.ProfileBatch), ("training", options.Training.BatchSize) })
        {
            if (batch % settings.Devices != 0 || batch / settings.Devices < 2)
            {
                throw new CliException(ExitCodes.Usage, $"--devices {settings.Devices}: the {what} batch of {batch} does not split into {settings.Devices} shards of at least 2 images");
            }
        }

        // The topology is created (and refused) before the output folder exists.
        using var topology = settings.Topology is null ? null
            : StudyTopology.Create(settings.TopologyPlugin is null && plugin is not null ? plugin : PluginOption.Load(settings.TopologyPlugin ?? settings.Plugin, settings.TopologyPlugin is null ? "--plugin" : "--topology-plugin"),
                settings.Topology, topologyOptions!, settings.Devices);
        Inputs.EnsureWritableDirectory(options.OutputDirectory);

        PjrtStepProfiler? profiler;
        PjrtModelTrainer? pjrtTrainer;
        try
        {
            profiler = plugin is null || settings.NoProfile ? null : new PjrtStepProfiler(plugin, settings.Devices, options.DataFormat);
            pjrtTrainer = options.Trainer == TrainerKind.Pjrt ? new PjrtModelTrainer(plugin!, settings.Devices, format: options.DataFormat) : null;
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message, e);
        }

        using var profilerOwner = profiler;
        using var trainerOwner = pjrtTrainer;
        IModelTrainer trainer = pjrtTrainer is null ? new TorchModelTrainer() : pjrtTrainer;
        var runner = new StudyRunner(options, trainer, profiler, topology);

        IReadOnlyList<CellResult> cells;
        try
        {
            cells = RunWithProgress(runner, options, cancellationToken);
        }
        catch (PjrtException e)
        {
            throw new CliException(ExitCodes.Failure, $"PJRT: {PluginOption.CodeName(e.Code)}: {e.Message}", e);
        }
        catch (TopologyCompileException e)
        {
            throw StudyTopology.Failure(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write to {options.OutputDirectory}: {e.Message}", e);
        }

        AnsiConsole.MarkupLineInterpolated($"{cells.Count} cells; report in {Path.Combine(options.OutputDirectory, "report.md")}");
        return ExitCodes.Success;
    }

    private static IReadOnlyList<CellResult> RunWithProgress(StudyRunner runner, StudyOptions options, CancellationToken ct)
    {
        if (Console.IsErrorRedirected)
        {
            return runner.Run(new Reporter(null, null), ct);
        }

        IReadOnlyList<CellResult> cells = [];
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var all = ctx.AddTask("cells");
                var current = ctx.AddTask("starting");
                cells = runner.Run(new Reporter(all, current), ct);
                all.Value = all.MaxValue;
                current.Value = current.MaxValue;
            });
        return cells;
    }

    private static string[] ParseMethods(string text)
    {
        string[] methods = [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        return methods.Length > 0 ? methods : throw CliException.ForOption("--methods", "no method given");
    }

    private static double[] ParseRatios(string text)
    {
        try
        {
            double[] ratios = [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(r => double.Parse(r, NumberStyles.Float, CultureInfo.InvariantCulture))];
            return ratios.Length > 0 ? ratios : throw CliException.ForOption("--ratios", "no ratio given");
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw CliException.ForOption("--ratios", $"'{StrictArguments.Shorten(text)}' is not a comma-separated list of numbers", e);
        }
    }

    // Progress bars, or one line per finished cell when stderr is not a terminal (CI logs).
    private sealed class Reporter(ProgressTask? all, ProgressTask? current) : IProgress<StudyProgress>
    {
        private string _lastStage = "";

        public void Report(StudyProgress value)
        {
            if (all is null || current is null)
            {
                if (value.Training is null && value.Stage != _lastStage)
                {
                    Console.Error.WriteLine($"[{value.CellsDone}/{value.CellCount}] {value.Stage}");
                }

                _lastStage = value.Stage;
                return;
            }

            all.MaxValue = value.CellCount;
            all.Value = value.CellsDone;
            current.Description = Markup.Escape(value.Stage + (value.Training is { } t ? $" epoch {t.Epoch + 1} loss {t.Loss:F3}" : ""));
            if (value.Training is { } p)
            {
                current.MaxValue = p.StepsPerEpoch;
                current.Value = p.Step;
            }
        }
    }
}
