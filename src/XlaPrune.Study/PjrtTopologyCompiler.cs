using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;

namespace XlaPrune.Study;

/// <summary>
/// Compiles train steps for a named topology of a plugin without a client (<c>PJRT_TopologyDescription_Create</c>,
/// <c>PJRT_Compile</c>), and reads the compiler's memory statistics and the layouts of the optimized program. With one
/// replica the program is the plain train step at the global batch, compiled with default options (one device of the
/// topology); with R replicas it is the data-parallel step at batch / R per replica, compiled for R replicas on the
/// topology's first R devices: the same programs the study profiles with <c>--devices</c>.
/// </summary>
public sealed class PjrtTopologyCompiler : ITopologyCompiler, IDisposable
{
    private readonly PjrtTopology _topology;
    private readonly IReadOnlyList<int> _deviceIds;

    /// <summary>Creates the topology (owned by this compiler until it is disposed).</summary>
    /// <param name="plugin">The plugin to compile with.</param>
    /// <param name="name">Topology name, e.g. <c>cpu:2</c> or <c>v5e:2x2</c>.</param>
    /// <param name="options">Create options (long, long[], bool, float or string values).</param>
    /// <param name="replicas">Replicas of the compiled train step; the topology needs at least that many devices.</param>
    /// <exception cref="PjrtException">The plugin refuses the topology or an option, or has no topologies (UNIMPLEMENTED).</exception>
    /// <exception cref="ArgumentException">The topology has fewer devices than <paramref name="replicas"/>.</exception>
    public PjrtTopologyCompiler(PjrtPlugin plugin, string name, IReadOnlyDictionary<string, object> options, int replicas = 1)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        _topology = plugin.CreateTopology(name, options);
        try
        {
            var devices = _topology.Devices;
            if (devices.Count < replicas)
            {
                throw new ArgumentException(
                    $"topology {name} has {devices.Count} device{(devices.Count == 1 ? "" : "s")}, fewer than the {replicas} replicas of the train step", nameof(replicas));
            }

            _deviceIds = [.. devices.Take(replicas).Select(d => d.Id)];
            Target = new TopologyTarget(name, TopologyTarget.Describe(options), _topology.PlatformName, _topology.PlatformVersion, devices.Count, replicas);
        }
        catch
        {
            _topology.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public TopologyTarget Target { get; }

    /// <inheritdoc/>
    public TopologyCompileResult Compile(Vgg16Spec spec, int batch, DataFormat format)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var replicas = Target.Replicas;
        if (batch % replicas != 0)
        {
            throw new ArgumentException($"the batch of {batch} does not split into {replicas} replicas", nameof(batch));
        }

        var program = replicas == 1
            ? Vgg16Programs.TrainStep(spec, batch, format: format)
            : Vgg16Programs.TrainStep(spec, batch / replicas, new TrainStepOptions { Replicas = replicas }, format);
        var options = replicas == 1 ? CompileOptions.Default : new CompileOptions { Replicas = replicas, DeviceAssignment = _deviceIds };
        var what = $"the train step of {spec.Describe()} for topology {Target.Name}";
        try
        {
            using var executable = _topology.CompileHlo(program.Module.ToProtoBytes(), options);
            var stats = executable.GetCompiledMemoryStats();
            var optimized = executable.GetOptimizedProgram();
            var buffers = ProgramBuffers.FromModule(ProgramBuffers.ModuleOfOptimizedProgram(optimized.Format, optimized.Code));
            return new TopologyCompileResult
            {
                Topology = Target.Name,
                TopologyOptions = Target.Options,
                PlatformName = Target.PlatformName,
                PlatformVersion = Target.PlatformVersion,
                Devices = Target.Devices,
                Replicas = replicas,
                Batch = batch,
                DataFormat = format.Spelling(),
                Memory = new TopologyMemory(stats.ArgumentSizeInBytes, stats.OutputSizeInBytes, stats.TempSizeInBytes, stats.AliasSizeInBytes,
                    stats.GeneratedCodeSizeInBytes, stats.KnownPeakBytes),
                Buffers = buffers.Count,
                LogicalBytes = ProgramBuffers.TotalLogicalBytes(buffers),
                PaddedBytes = ProgramBuffers.TotalPaddedBytes(buffers),
            };
        }
        catch (PjrtException e)
        {
            throw new TopologyCompileException($"compiling {what} failed", e);
        }
        catch (FormatException e)
        {
            throw new TopologyCompileException($"{what}: the plugin's optimized program cannot be read: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _topology.Dispose();
}
