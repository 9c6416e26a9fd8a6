using System.Globalization;
using System.Text.Json;
using XlaPrune.Layout;
using XlaPrune.Programs;
using XlaPrune.Models;
using XlaPrune.Pruning;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Study;

/// <summary>Measures a compiled train step: step times and compiled memory on a PJRT plugin.</summary>
public interface IStepProfiler
{
    /// <summary>The plugin measured on.</summary>
    PluginIdentity Plugin { get; }

    /// <summary>Compiles and times the train step of <paramref name="spec"/> at <paramref name="batch"/>.</summary>
    ProfileResult Profile(Vgg16Spec spec, int batch, int steps, int warmup, CancellationToken cancellationToken);
}

/// <summary>Trains a model: the TorchSharp reference or the HLO train step on a plugin.</summary>
public interface IModelTrainer
{
    /// <summary>Trains from <paramref name="initial"/> and evaluates on <paramref name="test"/>.</summary>
    TrainResult Train(Vgg16Spec spec, ModelWeights initial, ImageDataset train, ImageDataset test, TrainOptions options,
        IProgress<TrainProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>The TorchSharp reference trainer.</summary>
public sealed class TorchModelTrainer : IModelTrainer
{
    /// <inheritdoc/>
    public TrainResult Train(Vgg16Spec spec, ModelWeights initial, ImageDataset train, ImageDataset test, TrainOptions options,
        IProgress<TrainProgress>? progress, CancellationToken cancellationToken) =>
        Trainer.Train(spec, initial, train, test, options, progress, cancellationToken);
}

/// <summary>Where a study is, for progress bars.</summary>
/// <param name="Stage">What runs now, e.g. "baseline seed 0" or "slimming-reload 0.50 seed 0: retrain".</param>
/// <param name="CellsDone">Cells finished (including ones kept from an earlier run).</param>
/// <param name="CellCount">All cells.</param>
/// <param name="Training">The current training step, if training.</param>
public sealed record StudyProgress(string Stage, int CellsDone, int CellCount, TrainProgress? Training);

/// <summary>
/// Runs a study: a baseline per seed (trained with Network Slimming's sparsity), then for every
/// method × ratio × seed a plan, surgery, retraining, evaluation, layout totals and a profile of the
/// pruned train step. Every finished piece is stored in the output folder (cells/*.json,
/// checkpoints/, profiles/), so a killed study resumes where it stopped; the report is rewritten at
/// the end.
/// </summary>
public sealed class StudyRunner(StudyOptions options, IModelTrainer trainer, IStepProfiler? profiler)
{
    private readonly StudyOptions _options = options;
    private readonly IModelTrainer _trainer = trainer;
    private readonly IStepProfiler? _profiler = profiler;
    private readonly Dictionary<int, ModelWeights> _baselines = [];

    /// <summary>Runs (or resumes) the study and writes the report; returns all cells.</summary>
    public IReadOnlyList<CellResult> Run(IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var dir = _options.OutputDirectory;
        Directory.CreateDirectory(Path.Combine(dir, "cells"));
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        Directory.CreateDirectory(Path.Combine(dir, "profiles"));
        var (train, test) = LoadData();
        var cells = (from seed in Enumerable.Range(0, _options.Seeds)
                     from method in _options.Methods
                     from ratio in _options.Ratios
                     select (method, ratio, seed)).ToList();
        var results = new List<CellResult>();
        foreach (var (method, ratio, seed) in cells)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(dir, "cells", CellId(method, ratio, seed) + ".json");
            var done = TryReadCell(path);
            if (done is null)
            {
                var baseline = Baseline(seed, train, test, results.Count, cells.Count, progress, cancellationToken);
                done = RunCell(method, ratio, seed, baseline, train, test, results.Count, cells.Count, progress, cancellationToken);
                AtomicFiles.WriteText(path, JsonSerializer.Serialize(done, StudyJson.Options));
            }

            results.Add(done);
            progress?.Report(new StudyProgress($"{method} {ratio:F2} seed {seed}: done", results.Count, cells.Count, null));
        }

        ReportWriter.Write(dir, new ReportContext(
            $"XlaPrune study ({_options.Preset} preset, {_options.Dataset})", _options.Model, _options.ProfileBatch, _profiler?.Plugin, Notes()), results);
        return results;
    }

    /// <summary>File-name id of a cell, e.g. <c>slimming-reload_r0.50_s0</c>.</summary>
    public static string CellId(string method, double ratio, int seed) => string.Create(CultureInfo.InvariantCulture, $"{method}_r{ratio:F2}_s{seed}");

    private (ImageDataset Train, ImageDataset Test) LoadData() => _options.Dataset switch
    {
        "fashion-mnist" => (FashionMnist.Load(_options.DatasetDirectory, true, _options.TrainLimit), FashionMnist.Load(_options.DatasetDirectory, false, _options.TestLimit)),
        "cifar10" => (Cifar10.Load(_options.DatasetDirectory, true, _options.TrainLimit), Cifar10.Load(_options.DatasetDirectory, false, _options.TestLimit)),
        "imagenet-folder" => (ImageFolder.Load(Path.Combine(_options.DatasetDirectory, "train"), _options.Model.ImageSize, _options.TrainLimit),
            ImageFolder.Load(Path.Combine(_options.DatasetDirectory, "val"), _options.Model.ImageSize, _options.TestLimit)),
        _ => throw new ArgumentException($"unknown dataset '{_options.Dataset}' (known: fashion-mnist, cifar10, imagenet-folder)"),
    };

    private ModelWeights Baseline(int seed, ImageDataset train, ImageDataset test, int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        if (_baselines.TryGetValue(seed, out var cached))
        {
            return cached;
        }

        var stage = $"baseline seed {seed}";
        var options = _options.Training with
        {
            Epochs = _options.BaselineEpochs,
            Seed = seed,
            Sgd = _options.Training.Sgd with { SlimmingLambda = _options.SlimmingLambda },
            CheckpointPath = Path.Combine(_options.OutputDirectory, "checkpoints", $"baseline_s{seed}.safetensors"),
        };
        var result = _trainer.Train(_options.Model, ModelWeights.Initialize(_options.Model, seed), train, test, options,
            Relay(progress, stage, done, count), ct);
        _baselines[seed] = result.Weights;
        return result.Weights;
    }

    private CellResult RunCell(string method, double ratio, int seed, ModelWeights baseline, ImageDataset train, ImageDataset test,
        int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        var (importance, reload) = StudyOptions.ParseMethod(method);
        var stage = string.Create(CultureInfo.InvariantCulture, $"{method} {ratio:F2} seed {seed}");
        var planOptions = new PlanOptions
        {
            Ratio = ratio,
            FloorFraction = _options.FloorFraction,
            CustomRounding = _options.TileAware ? new TileAwareRounding() : null,
        };
        var plan = Planner.Plan(_options.Model, baseline, ChannelImportance.ByName(importance), planOptions, $"baseline_s{seed}");
        var (spec, weights) = Surgery.Apply(plan, baseline, reload, seed + 1000);
        var retrain = _options.Training with
        {
            Epochs = _options.RetrainEpochs,
            Seed = seed,
            CheckpointPath = Path.Combine(_options.OutputDirectory, "checkpoints", CellId(method, ratio, seed) + ".safetensors"),
        };
        var trained = _trainer.Train(spec, weights, train, test, retrain, Relay(progress, stage + ": retrain", done, count), ct);
        progress?.Report(new StudyProgress(stage + ": profile", done, count, null));
        var profile = Profile(spec, ct);
        var totals = TrainStepLayout.Totals(TrainStepLayout.Tensors(Vgg16Programs.TrainStep(spec, _options.ProfileBatch, format: _options.DataFormat).Module)).Held;
        return new CellResult
        {
            Method = method,
            Ratio = ratio,
            Seed = seed,
            AchievedRatio = plan.AchievedRatio,
            ConvChannels = spec.ConvChannels,
            Accuracy = trained.TestAccuracy,
            Params = spec.ParameterCount,
            Flops = spec.FlopsPerImage,
            StepMs = profile?.StepMs,
            CompiledMemory = profile?.Memory,
            LogicalBytes = totals.Logical,
            TpuPaddedBytes = totals.Preferred,
            TpuPaddedBytesMin = totals.Min,
            TpuPaddedBytesMax = totals.Max,
            TrainSeconds = trained.Elapsed.TotalSeconds,
        };
    }

    // Profiles are cached per channel plan: methods that arrive at the same shape share one.
    private ProfileResult? Profile(Vgg16Spec spec, CancellationToken ct)
    {
        if (_profiler is null)
        {
            return null;
        }

        var path = Path.Combine(_options.OutputDirectory, "profiles", string.Join('-', spec.ConvChannels) + $"_b{_options.ProfileBatch}.json");
        if (File.Exists(path))
        {
            try
            {
                return JsonSerializer.Deserialize<ProfileResult>(File.ReadAllText(path), StudyJson.Options);
            }
            catch (JsonException)
            {
                // A corrupt cache entry is measured again.
            }
        }

        var result = _profiler.Profile(spec, _options.ProfileBatch, _options.ProfileSteps, _options.ProfileWarmup, ct);
        AtomicFiles.WriteText(path, JsonSerializer.Serialize(result, StudyJson.Options));
        return result;
    }

    private static CellResult? TryReadCell(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CellResult>(File.ReadAllText(path), StudyJson.Options);
        }
        catch (JsonException)
        {
            return null; // written atomically, so this only happens if edited by hand: run it again
        }
    }

    private List<string> Notes() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"Data: {_options.Dataset}, {(_options.TrainLimit is { } l ? $"first {l}" : "all")} training and {(_options.TestLimit is { } t ? $"first {t}" : "all")} test images."),
        string.Create(CultureInfo.InvariantCulture, $"Baseline: {_options.BaselineEpochs} epochs with Network Slimming sparsity λ = {_options.SlimmingLambda}; retraining: {_options.RetrainEpochs} epochs; batch {_options.Training.BatchSize}, SGD momentum {_options.Training.Sgd.Momentum}, lr {_options.Training.LearningRate} ({_options.Training.Schedule}); trainer {_options.Trainer}."),
        string.Create(CultureInfo.InvariantCulture, $"Plans: one global threshold across layers, floor {_options.FloorFraction:P0} per layer{(_options.TileAware ? ", kept counts rounded to whole 128-channel tiles" : "")}; ratio 0 is the unpruned model retrained the same way."),
        string.Create(CultureInfo.InvariantCulture, $"Logical and TPU-padded bytes are modelled, not measured (docs/layout.md): the tensors are read from the {_options.DataFormat.Spelling()} train step's HLO module (entry parameters and the forward values the backward pass reads), each with XLA's candidate TPU layouts; padded bytes are given for the preferred candidates and as a range over all of them."),
    ];

    private static RelayProgress? Relay(IProgress<StudyProgress>? progress, string stage, int done, int count) =>
        progress is null ? null : new RelayProgress(p => progress.Report(new StudyProgress(stage, done, count, p)));

    private sealed class RelayProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}

/// <summary>Plan rounding to whole 128-channel TPU tiles (nearest), joining the layout model to the planner.</summary>
public sealed class TileAwareRounding : IKeptCountRounding
{
    /// <inheritdoc/>
    public int Round(ConvLayerSpec layer, int kept)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return TileAwareChannels.Round(layer.OutChannels, kept);
    }
}
