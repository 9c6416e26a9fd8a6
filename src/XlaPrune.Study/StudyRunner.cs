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
/// pruned train step, and with a topology compiler the step compiled for that topology. Every finished
/// piece is stored in the output folder (cells/*.json, checkpoints/, profiles/, topology/), so a killed
/// study resumes where it stopped; the report is rewritten at the end.
/// </summary>
/// <remarks>
/// A finished cell is never trained again, but its compiled-for-topology numbers always follow the run: a cell
/// without numbers for this run's topology (or with another topology's) gets them, from topology/ or by compiling;
/// a run without a topology removes them from the cells, so the report shows only the sources the run asked for.
/// </remarks>
public sealed class StudyRunner(StudyOptions options, IModelTrainer trainer, IStepProfiler? profiler, ITopologyCompiler? topology = null)
{
    private readonly StudyOptions _options = options;
    private readonly IModelTrainer _trainer = trainer;
    private readonly IStepProfiler? _profiler = profiler;
    private readonly ITopologyCompiler? _topology = topology;
    private readonly Dictionary<int, TrainResult> _baselines = [];

    /// <summary>Runs (or resumes) the study and writes the report; returns all cells.</summary>
    public IReadOnlyList<CellResult> Run(IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var dir = _options.OutputDirectory;
        Directory.CreateDirectory(Path.Combine(dir, "cells"));
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        Directory.CreateDirectory(Path.Combine(dir, "profiles"));
        if (_topology is not null)
        {
            Directory.CreateDirectory(Path.Combine(dir, "topology"));
        }
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
            var done = TryRead<CellResult>(path);
            if (done is null)
            {
                var baseline = Baseline(seed, train, test, results.Count, cells.Count, progress, cancellationToken);
                done = ratio == 0
                    ? OriginalCell(method, seed, baseline, results.Count, cells.Count, progress, cancellationToken)
                    : RunCell(method, ratio, seed, baseline.Weights, train, test, results.Count, cells.Count, progress, cancellationToken);
                AtomicFiles.WriteText(path, JsonSerializer.Serialize(done, StudyJson.Options));
            }
            else if (!HasThisRunsTopology(done))
            {
                if (_topology is not null)
                {
                    progress?.Report(new StudyProgress($"{method} {ratio:F2} seed {seed}: compile for topology", results.Count, cells.Count, null));
                }

                done = done with { CompiledForTopology = CompileForTopology(_options.Model.WithConvChannels(done.ConvChannels)) };
                AtomicFiles.WriteText(path, JsonSerializer.Serialize(done, StudyJson.Options));
            }

            results.Add(done);
            progress?.Report(new StudyProgress($"{method} {ratio:F2} seed {seed}: done", results.Count, cells.Count, null));
        }

        ReportWriter.Write(dir, new ReportContext(
            $"XlaPrune study ({_options.Preset} preset, {_options.Dataset})", _options.Model, _options.ProfileBatch, _profiler?.Plugin, Notes(), _topology?.Target), results);
        return results;
    }

    /// <summary>File-name id of a cell, e.g. <c>slimming-reload_r0.50_s0</c>.</summary>
    public static string CellId(string method, double ratio, int seed) => string.Create(CultureInfo.InvariantCulture, $"{method}_r{ratio:F2}_s{seed}");

    private (ImageDataset Train, ImageDataset Test) LoadData() =>
        (Datasets.Load(_options.Dataset, _options.DatasetDirectory, train: true, _options.TrainLimit, _options.Model.ImageSize),
            Datasets.Load(_options.Dataset, _options.DatasetDirectory, train: false, _options.TestLimit, _options.Model.ImageSize));

    // Each seed's original model: trained once (resumed from its checkpoint after a kill) and shared by every method.
    private TrainResult Baseline(int seed, ImageDataset train, ImageDataset test, int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct)
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
        _baselines.Clear(); // seeds run one after another: only the current one is needed
        _baselines[seed] = result;
        return result;
    }

    private CellResult RunCell(string method, double ratio, int seed, ModelWeights baseline, ImageDataset train, ImageDataset test,
        int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        var (importance, reload) = StudyOptions.ParseMethod(method);
        var stage = string.Create(CultureInfo.InvariantCulture, $"{method} {ratio:F2} seed {seed}");
        var planOptions = new PlanOptions
        {
            Ratio = ratio,
            Scope = importance == "l1" ? _options.L1Scope : PlanScope.Global,
            FloorFraction = _options.FloorFraction,
            CustomRounding = _options.TileAware ? new TileAwareRounding() : null,
        };
        var plan = Planner.Plan(_options.Model, baseline, ChannelImportance.ByName(importance), planOptions, $"baseline_s{seed}");
        var (spec, weights) = Surgery.Apply(plan, baseline, reload, seed + 1000);
        var retrain = _options.Training with
        {
            Epochs = reload ? _options.RetrainEpochs : _options.ScratchEpochs,
            Seed = seed,
            CheckpointPath = Path.Combine(_options.OutputDirectory, "checkpoints", CellId(method, ratio, seed) + ".safetensors"),
        };
        var trained = _trainer.Train(spec, weights, train, test, retrain, Relay(progress, stage + (reload ? ": retrain" : ": train from scratch"), done, count), ct);
        return Measure(method, ratio, seed, spec, plan.AchievedRatio, trained.TestAccuracy, trained.Elapsed.TotalSeconds, stage, done, count, progress, ct);
    }

    // Ratio 0 of every method is the seed's original model itself: nothing is pruned or trained again.
    private CellResult OriginalCell(string method, int seed, TrainResult baseline, int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct) =>
        Measure(method, 0, seed, _options.Model, 0, baseline.TestAccuracy, 0, string.Create(CultureInfo.InvariantCulture, $"{method} {0:F2} seed {seed}"), done, count, progress, ct);

    private CellResult Measure(string method, double ratio, int seed, Vgg16Spec spec, double achieved, double accuracy, double trainSeconds,
        string stage, int done, int count, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new StudyProgress(stage + ": profile", done, count, null));
        var profile = Profile(spec, ct);
        if (_topology is not null)
        {
            progress?.Report(new StudyProgress(stage + ": compile for topology", done, count, null));
        }

        var compiled = CompileForTopology(spec);
        var totals = TrainStepLayout.Totals(TrainStepLayout.Tensors(Vgg16Programs.TrainStep(spec, _options.ProfileBatch, format: _options.DataFormat).Module)).Held;
        return new CellResult
        {
            Method = method,
            Ratio = ratio,
            Seed = seed,
            AchievedRatio = achieved,
            ConvChannels = spec.ConvChannels,
            Accuracy = accuracy,
            Params = spec.ParameterCount,
            Flops = spec.FlopsPerImage,
            StepMs = profile?.StepMs,
            CompiledMemory = profile?.Memory,
            LogicalBytes = totals.Logical,
            TpuPaddedBytes = totals.Preferred,
            TpuPaddedBytesMin = totals.Min,
            TpuPaddedBytesMax = totals.Max,
            TrainSeconds = trainSeconds,
            CompiledForTopology = compiled,
        };
    }

    private bool HasThisRunsTopology(CellResult cell) => _topology is null
        ? cell.CompiledForTopology is null
        : cell.CompiledForTopology is { } c && c.IsFor(_topology.Target, _options.ProfileBatch, _options.DataFormat);

    // Compiled once per distinct model (channels), topology, batch and format (cells of the same shape share it), cached in topology/.
    private TopologyCompileResult? CompileForTopology(Vgg16Spec spec)
    {
        if (_topology is null)
        {
            return null;
        }

        var target = _topology.Target;
        string[] identity = [spec.Describe(), target.Name, .. target.Options, target.PlatformName, target.PlatformVersion,
            target.Devices.ToString(CultureInfo.InvariantCulture), target.Replicas.ToString(CultureInfo.InvariantCulture), _options.DataFormat.Spelling()];
        var key = string.Join('\n', identity);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16];
        var path = Path.Combine(_options.OutputDirectory, "topology", string.Join('-', spec.ConvChannels) + $"_b{_options.ProfileBatch}_{hash}.json");
        return Cached(path, c => c.IsFor(target, _options.ProfileBatch, _options.DataFormat),
            () => _topology.Compile(spec, _options.ProfileBatch, _options.DataFormat));
    }

    // Profiles are cached per channel plan: methods that arrive at the same shape share one.
    private ProfileResult? Profile(Vgg16Spec spec, CancellationToken ct)
    {
        if (_profiler is null)
        {
            return null;
        }

        var path = Path.Combine(_options.OutputDirectory, "profiles", string.Join('-', spec.ConvChannels) + $"_b{_options.ProfileBatch}.json");
        return Cached(path, _ => true, () => _profiler.Profile(spec, _options.ProfileBatch, _options.ProfileSteps, _options.ProfileWarmup, ct));
    }

    // A cache entry of the output folder: read when present and valid, else made and written atomically. A corrupt
    // entry (only possible if edited by hand, since every write is atomic) is made again.
    private static T Cached<T>(string path, Func<T, bool> valid, Func<T> make)
        where T : class
    {
        if (TryRead<T>(path) is { } cached && valid(cached))
        {
            return cached;
        }

        var result = make();
        AtomicFiles.WriteText(path, JsonSerializer.Serialize(result, StudyJson.Options));
        return result;
    }

    private static T? TryRead<T>(string path)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), StudyJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private List<string> Notes()
    {
        var ic = CultureInfo.InvariantCulture;
        var o = _options;
        return
        [
            string.Create(ic, $"Data: {o.Dataset}, {(o.TrainLimit is { } l ? $"first {l}" : "all")} training and {(o.TestLimit is { } t ? $"first {t}" : "all")} test images; {o.Seeds} seed{(o.Seeds == 1 ? "" : "s")} (0–{o.Seeds - 1}); intervals are 95 % Student-t intervals over seeds."),
            string.Create(ic, $"Every training uses the same hyper-parameters: batch {o.Training.BatchSize}, SGD momentum {o.Training.Sgd.Momentum}, weight decay {o.Training.Sgd.WeightDecay}, lr {o.Training.LearningRate} ({o.Training.Schedule} schedule over the run's epochs); trainer {o.Trainer}."),
            string.Create(ic, $"Each seed trains one original model for {o.BaselineEpochs} epochs with Network Slimming's sparsity λ = {o.SlimmingLambda}; every method of that seed prunes it, and ratio 0 of every method is that model itself (not retrained)."),
            string.Create(ic, $"Budget: -reload retrains the pruned model for {o.RetrainEpochs} epochs from the surviving weights (original {o.BaselineEpochs} + {o.RetrainEpochs} epochs in all); -scratch trains the pruned architecture from a fresh initialisation for {o.ScratchEpochs} epochs, the same total. Only the original is trained with the sparsity term."),
            string.Create(ic, $"Plans: slimming ranks |γ| with one global threshold; l1 ranks filter L1 norms {(o.L1Scope == PlanScope.PerLayer ? "per layer, the same ratio in every layer (Li et al.)" : "with one global threshold")}; every layer keeps at least {o.FloorFraction:P0}{(o.TileAware ? ", kept counts rounded to whole 128-channel tiles" : "")}. The x axis of every figure is the achieved ratio."),
            string.Create(ic, $"Logical and TPU-padded bytes are modelled, not measured (docs/layout.md): the tensors are read from the {o.DataFormat.Spelling()} train step's HLO module (entry parameters and the forward values the backward pass reads), each with XLA's candidate TPU layouts; padded bytes are given for the preferred candidates and as a range over all of them. Step times and compiled memory are measured on the plugin named in the header."),
            .. _topology is null ? Array.Empty<string>() : [TopologyNote(_topology.Target)],
        ];
    }

    private string TopologyNote(TopologyTarget t)
    {
        var ic = CultureInfo.InvariantCulture;
        var replicas = t.Replicas == 1
            ? $"one replica at batch {_options.ProfileBatch} on one device of it"
            : $"{t.Replicas} replicas (data-parallel) at batch {_options.ProfileBatch / t.Replicas} each on its first {t.Replicas} devices";
        var options = t.Options.Count == 0 ? "" : $" (options {string.Join(", ", t.Options)})";
        return string.Create(ic,
            $"Compiled for topology {t.Name}{options}: every distinct pruned shape's {_options.DataFormat.Spelling()} train step is compiled for this topology of platform {t.PlatformName} ({t.PlatformVersion}, {t.Devices} device{(t.Devices == 1 ? "" : "s")}) without a client, {replicas}. Its memory figures are the compiler's statistics for one device as reported, and its padded bytes are summed over the optimized program's buffers under the layouts the compiler chose (docs/tpu.md).");
    }

    private static RelayProgress? Relay(IProgress<StudyProgress>? progress, string stage, int done, int count) =>
        progress is null ? null : new RelayProgress(p => progress.Report(new StudyProgress(stage, done, count, p)));

    private sealed class RelayProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
