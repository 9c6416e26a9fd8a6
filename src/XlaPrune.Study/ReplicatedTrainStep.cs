using System.Globalization;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;

namespace XlaPrune.Study;

/// <summary>
/// The VGG-16 train step run data-parallel on several devices of one PJRT client: one program compiled for
/// R replicas with a device assignment, executed with one argument list per device. Parameters, momenta and
/// BatchNorm statistics stay resident on every device between steps (donated to the step, replaced by its
/// outputs); each step moves only the batch shards and the learning rate. With one device it is the plain
/// train step on that device.
/// </summary>
public sealed class ReplicatedTrainStep : IDisposable
{
    private readonly PjrtClient _client;
    private readonly PjrtLoadedExecutable _executable;
    private readonly Vgg16Program _program;
    private readonly ModelBinding _binding;
    private readonly int _imagesIndex;
    private readonly int _labelsIndex;
    private readonly int _rateIndex;
    private readonly IReadOnlyList<PjrtDevice> _devices;
    private readonly int _stateCount;
    private readonly int _lossIndex;
    private PjrtBuffer[][] _state;

    /// <param name="client">A client with at least <paramref name="devices"/> addressable devices (see <see cref="CreateClient"/>).</param>
    /// <param name="spec">The model.</param>
    /// <param name="globalBatch">Images per step across all devices; a multiple of <paramref name="devices"/>.</param>
    /// <param name="devices">Replicas, one per device.</param>
    /// <param name="options">Train step options; <see cref="TrainStepOptions.Replicas"/> is set to <paramref name="devices"/>.</param>
    /// <param name="weights">Initial parameters and BatchNorm statistics.</param>
    /// <param name="momenta">Initial momenta (zeros when null).</param>
    /// <param name="seed">Seeds the dropout generators (ImageNet classifier), one stream per device.</param>
    /// <param name="format">The program's data format; images and model state are transposed from PyTorch's order on upload.</param>
    public ReplicatedTrainStep(PjrtClient client, Vgg16Spec spec, int globalBatch, int devices, TrainStepOptions options, ModelWeights weights, ModelWeights? momenta = null, int seed = 0, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(weights);
        if (devices < 1)
        {
            throw new ArgumentException($"devices must be at least 1, got {devices}", nameof(devices));
        }

        if (globalBatch % devices != 0 || globalBatch / devices < 2)
        {
            throw new ArgumentException(
                $"the batch of {globalBatch} does not split into {devices} device shards of at least 2 images each (BatchNorm needs 2 per shard)", nameof(globalBatch));
        }

        var available = client.AddressableDevices;
        if (available.Count < devices)
        {
            throw new ArgumentException($"{devices} devices asked for, but {client.Plugin.Path} gives this client {available.Count}", nameof(devices));
        }

        _client = client;
        Spec = spec;
        Devices = devices;
        PerDeviceBatch = globalBatch / devices;
        _devices = [.. available.Take(devices)];
        _program = Vgg16Programs.TrainStep(spec, PerDeviceBatch, options with { Replicas = devices }, format);
        var compileOptions = new CompileOptions { Replicas = devices, DeviceAssignment = [.. _devices.Select(d => d.Id)] };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _executable = client.CompileHlo(_program.Module.ToProtoBytes(), compileOptions);
        CompileMs = clock.Elapsed.TotalMilliseconds;
        _binding = new ModelBinding(_program);
        _stateCount = _binding.State.Count;
        _imagesIndex = _binding.IndexOf(ProgramRole.Images);
        _labelsIndex = _binding.IndexOf(ProgramRole.Labels);
        _rateIndex = _binding.IndexOf(ProgramRole.LearningRate);
        _lossIndex = _program.Results.Select((r, i) => (r, i)).Single(x => x.r.Role == ProgramRole.Loss).i;
        _state = [.. _devices.Select((device, replica) => _binding.BindState(weights, momenta, unchecked((ulong)seed),
            (a, data) => _client.BufferFromHost<float>(data, [.. a.Shape.Dimensions], device),
            // Dropout masks differ from shard to shard: each replica's generator starts from its own state.
            (a, state) => _client.BufferFromHost<ulong>([state[0], (ulong)replica], [.. a.Shape.Dimensions], device)).ToArray())];
    }

    public Vgg16Spec Spec { get; }

    public int Devices { get; }

    public int PerDeviceBatch { get; }

    /// <summary>Wall time of the compile, in milliseconds.</summary>
    public double CompileMs { get; }

    /// <summary>The compiled program's memory statistics (per device).</summary>
    public CompiledMemoryStats MemoryStats => _executable.GetCompiledMemoryStats();

    /// <summary>The plugin's cost analysis of the compiled program (per device).</summary>
    public IReadOnlyDictionary<string, object> CostAnalysis => _executable.GetCostAnalysis();

    /// <summary>
    /// A client of <paramref name="plugin"/> with at least <paramref name="devices"/> devices: a plain client if it has
    /// enough, else one created with the <c>cpu_device_count</c> option (our CPU plugin's virtual devices).
    /// </summary>
    /// <exception cref="ArgumentException">The plugin cannot serve that many devices; the message names both counts.</exception>
    public static PjrtClient CreateClient(PjrtPlugin plugin, int devices)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var client = plugin.CreateClient();
        var count = client.AddressableDevices.Count;
        if (count >= devices)
        {
            return client;
        }

        client.Dispose();
        try
        {
            var virtualDevices = plugin.CreateClient(new Dictionary<string, object> { ["cpu_device_count"] = (long)devices });
            if (virtualDevices.AddressableDevices.Count >= devices)
            {
                return virtualDevices;
            }

            virtualDevices.Dispose();
        }
        catch (PjrtException)
        {
            // Not a plugin with virtual CPU devices: report what it has.
        }

        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"--devices {devices}: the plugin {plugin.Path} has {count} addressable device{(count == 1 ? "" : "s")}"));
    }

    /// <summary>One step on the global batch (device d takes images [d·b, (d+1)·b)); returns the global mean loss.</summary>
    public float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, float learningRate)
    {
        var imageLength = images.Length / (PerDeviceBatch * Devices);
        if (images.Length != imageLength * PerDeviceBatch * Devices || labels.Length != PerDeviceBatch * Devices)
        {
            throw new ArgumentException($"a step takes {PerDeviceBatch * Devices} images and labels, got {labels.Length} labels and {images.Length} image values");
        }

        var arguments = new PjrtBuffer[Devices][];
        var imageArg = _program.Arguments[_imagesIndex];
        var imagesShape = imageArg.Shape.Dimensions.ToArray();
        try
        {
            for (var d = 0; d < Devices; d++)
            {
                arguments[d] = new PjrtBuffer[_program.Arguments.Count];
                _state[d].CopyTo(arguments[d], 0);
                arguments[d][_imagesIndex] = _client.BufferFromHost<float>(imageArg.FromTorch(images.Slice(d * PerDeviceBatch * imageLength, PerDeviceBatch * imageLength).ToArray()), imagesShape, _devices[d]);
                arguments[d][_labelsIndex] = _client.BufferFromHost(labels.Slice(d * PerDeviceBatch, PerDeviceBatch), [PerDeviceBatch], _devices[d]);
                arguments[d][_rateIndex] = _client.BufferFromHost<float>([learningRate], [], _devices[d]);
            }

            var outputs = _executable.ExecuteSharded(arguments);
            float loss;
            try
            {
                loss = outputs[0][_lossIndex].ToArray<float>()[0];
            }
            finally
            {
                foreach (var perDevice in outputs)
                {
                    perDevice[_lossIndex].Dispose();
                }
            }

            // The state inputs were donated to the step; its outputs are the new state.
            foreach (var old in _state.SelectMany(s => s))
            {
                old.Dispose();
            }

            _state = [.. outputs.Select(o => o.Take(_stateCount).ToArray())];
            return loss;
        }
        finally
        {
            foreach (var list in arguments.Where(a => a is not null))
            {
                foreach (var transient in list.Skip(_stateCount).Where(b => b is not null))
                {
                    transient.Dispose();
                }
            }
        }
    }

    /// <summary>The parameters, BatchNorm statistics and momenta held by device <paramref name="replica"/>.</summary>
    public (ModelWeights Weights, ModelWeights Momenta) ReadState(int replica = 0) =>
        _binding.ReadState(i => _state[replica][i].ToArray<float>());

    public void Dispose()
    {
        foreach (var b in _state.SelectMany(s => s))
        {
            b.Dispose();
        }

        _executable.Dispose();
    }
}
