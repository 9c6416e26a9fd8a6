using System.Diagnostics;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;

namespace XlaPrune.Study;

/// <summary>
/// Compiles a spec's HLO train step on a PJRT plugin and times it: compile time, then warm-up
/// steps (not timed), then timed steps, each waiting for completion, with parameters, momenta
/// and BatchNorm statistics donated and fed back as a training loop would.
/// </summary>
public sealed class PjrtStepProfiler : IStepProfiler, IDisposable
{
    private readonly PjrtClient _client;

    private readonly int _devices;
    private readonly DataFormat _format;

    /// <summary>Profiles on a client of <paramref name="plugin"/> (owned by this profiler), over <paramref name="devices"/> devices, with programs in <paramref name="format"/>.</summary>
    public PjrtStepProfiler(PjrtPlugin plugin, int devices = 1, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _client = ReplicatedTrainStep.CreateClient(plugin, devices);
        _devices = devices;
        _format = format;
        Plugin = new PluginIdentity(_client.PlatformName, _client.PlatformVersion);
    }

    /// <inheritdoc/>
    public PluginIdentity Plugin { get; }

    /// <inheritdoc/>
    public ProfileResult Profile(Vgg16Spec spec, int batch, int steps, int warmup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        if (_devices > 1)
        {
            return ProfileReplicated(spec, batch, steps, warmup, cancellationToken);
        }

        var program = Vgg16Programs.TrainStep(spec, batch, format: _format);
        var clock = Stopwatch.StartNew();
        using var executable = _client.CompileHlo(program.Module.ToProtoBytes());
        var compileMs = clock.Elapsed.TotalMilliseconds;
        var state = InitialArguments(spec, program, batch);
        var carried = program.Results.Count - 1; // everything but the loss is fed back
        var times = new List<double>();
        try
        {
            for (var s = 0; s < warmup + steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                clock.Restart();
                var outputs = executable.Execute(state);
                var ms = clock.Elapsed.TotalMilliseconds;
                if (s >= warmup)
                {
                    times.Add(ms);
                }

                for (var i = 0; i < carried; i++)
                {
                    state[i].Dispose(); // donated: its storage now belongs to the output
                    state[i] = outputs[i];
                }

                outputs[carried].Dispose();
            }
        }
        finally
        {
            foreach (var b in state)
            {
                b.Dispose();
            }
        }

        var stats = executable.GetCompiledMemoryStats();
        var cost = executable.GetCostAnalysis();
        var flops = cost.TryGetValue("flops", out var f) ? Convert.ToDouble(f, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        return new ProfileResult(Plugin, compileMs, StepTimes.From(times), flops,
            new MemoryFigures(stats.ArgumentSizeInBytes, stats.OutputSizeInBytes, stats.TempSizeInBytes, stats.AliasSizeInBytes, stats.PeakMemoryInBytes),
            batch, steps, warmup);
    }

    /// <summary>
    /// The data-parallel step on the profiler's devices, <paramref name="batch"/> being the global batch. A step's
    /// time includes moving the batch shards to the devices, which the data-parallel step does every step.
    /// </summary>
    private ProfileResult ProfileReplicated(Vgg16Spec spec, int batch, int steps, int warmup, CancellationToken cancellationToken)
    {
        using var step = new ReplicatedTrainStep(_client, spec, batch, _devices, new TrainStepOptions(), ModelWeights.Initialize(spec, seed: 0), format: _format);
        var random = new Random(0);
        var images = Enumerable.Range(0, batch * spec.InputChannels * spec.ImageSize * spec.ImageSize).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, batch).Select(i => i % spec.Classes).ToArray();
        var times = new List<double>();
        var clock = new Stopwatch();
        for (var s = 0; s < warmup + steps; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock.Restart();
            step.Step(images, labels, 0.01f);
            if (s >= warmup)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var stats = step.MemoryStats;
        var flops = step.CostAnalysis.TryGetValue("flops", out var f) ? Convert.ToDouble(f, System.Globalization.CultureInfo.InvariantCulture) * _devices : double.NaN;
        return new ProfileResult(Plugin, step.CompileMs, StepTimes.From(times), flops,
            new MemoryFigures(stats.ArgumentSizeInBytes, stats.OutputSizeInBytes, stats.TempSizeInBytes, stats.AliasSizeInBytes, stats.PeakMemoryInBytes),
            batch, steps, warmup);
    }

    private List<PjrtBuffer> InitialArguments(Vgg16Spec spec, Vgg16Program program, int batch)
    {
        var weights = ModelWeights.Initialize(spec, seed: 0);
        var random = new Random(0);
        var binding = new ModelBinding(program);
        var buffers = binding.BindState(weights, momenta: null, rngSeed: 1,
            (a, data) => _client.BufferFromHost<float>(data, [.. a.Shape.Dimensions]),
            (a, data) => _client.BufferFromHost<ulong>(data, [.. a.Shape.Dimensions])).ToList();
        foreach (var a in program.Arguments.Skip(buffers.Count))
        {
            long[] dims = [.. a.Shape.Dimensions];
            buffers.Add(a.Role switch
            {
                ProgramRole.Images => _client.BufferFromHost<float>(Enumerable.Range(0, (int)a.Shape.ElementCount).Select(_ => (float)random.NextDouble()).ToArray(), dims),
                ProgramRole.Labels => _client.BufferFromHost<int>(Enumerable.Range(0, batch).Select(i => i % spec.Classes).ToArray(), dims),
                ProgramRole.LearningRate => _client.BufferFromHost<float>([0.01f], dims),
                _ => throw new InvalidOperationException($"{program.Module.Name}: no input for argument {a.Name} ({a.Role})"),
            });
        }

        return buffers;
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
