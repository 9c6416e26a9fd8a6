using System.Globalization;
using System.Text.Json.Serialization;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Study;

/// <summary>What a study compiles every cell's train step for: a named topology of a plugin, and the replicas of the program.</summary>
/// <param name="Name">The topology's name as given, e.g. <c>cpu:2</c> or <c>v5e:2x2</c>.</param>
/// <param name="Options">Its create options as <c>KEY=VALUE</c> text, sorted by key.</param>
/// <param name="PlatformName">The topology's platform, e.g. <c>cpu</c> or <c>tpu</c>.</param>
/// <param name="PlatformVersion">The platform version (a new compiler build compiles again).</param>
/// <param name="Devices">Devices of the topology.</param>
/// <param name="Replicas">Replicas the train step is compiled for (the study's <c>--devices</c>); the batch is split over them.</param>
public sealed record TopologyTarget(string Name, IReadOnlyList<string> Options, string PlatformName, string PlatformVersion, int Devices, int Replicas)
{
    /// <summary>Create options as sorted <c>KEY=VALUE</c> text: integers, <c>a,b,c</c> integer lists, <c>true</c>/<c>false</c>, decimals (invariant), strings.</summary>
    public static IReadOnlyList<string> Describe(IReadOnlyDictionary<string, object> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. options.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value switch
        {
            long[] list => string.Join(',', list.Select(v => v.ToString(CultureInfo.InvariantCulture))),
            int[] list => string.Join(',', list.Select(v => v.ToString(CultureInfo.InvariantCulture))),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString(),
        })];
    }

    /// <summary>The report's label of this source, e.g. <c>compiled for topology cpu:2</c>.</summary>
    public string Label => $"compiled for topology {Name}";
}

/// <summary>The compiler's memory statistics for one device, as the plugin reports them, in bytes.</summary>
/// <param name="ArgumentBytes">Parameter buffers.</param>
/// <param name="OutputBytes">Output buffers.</param>
/// <param name="TempBytes">Temporaries.</param>
/// <param name="AliasBytes">Bytes shared between parameters and outputs.</param>
/// <param name="GeneratedCodeBytes">Device code.</param>
/// <param name="PeakBytes">Peak memory of a run, or null where the plugin does not report it (0 or less).</param>
public sealed record TopologyMemory(long ArgumentBytes, long OutputBytes, long TempBytes, long AliasBytes, long GeneratedCodeBytes, long? PeakBytes)
{
    /// <summary>
    /// The peak when reported, else arguments + outputs + temporaries − aliased (the buffers live at once when nothing
    /// is shared beyond the aliasing); <see cref="IsPeak"/> says which.
    /// </summary>
    [JsonIgnore]
    public long DeviceBytes => PeakBytes ?? (ArgumentBytes + OutputBytes + TempBytes - AliasBytes);

    /// <summary>Whether <see cref="DeviceBytes"/> is the reported peak.</summary>
    [JsonIgnore]
    public bool IsPeak => PeakBytes is not null;
}

/// <summary>
/// One train step compiled for a topology without a client: the compiler's memory statistics and the bytes of the
/// optimized program's buffers under the layouts the compiler chose (docs/tpu.md).
/// </summary>
public sealed record TopologyCompileResult
{
    /// <summary>The topology's name.</summary>
    public required string Topology { get; init; }

    /// <summary>Its create options, <c>KEY=VALUE</c>, sorted.</summary>
    public required IReadOnlyList<string> TopologyOptions { get; init; }

    /// <summary>The topology's platform.</summary>
    public required string PlatformName { get; init; }

    /// <summary>The platform version.</summary>
    public required string PlatformVersion { get; init; }

    /// <summary>Devices of the topology.</summary>
    public required int Devices { get; init; }

    /// <summary>Replicas the program was compiled for.</summary>
    public required int Replicas { get; init; }

    /// <summary>Global batch of the step; each replica's program takes <c>Batch / Replicas</c> images.</summary>
    public required int Batch { get; init; }

    /// <summary>Dimension order of the program, <c>nhwc</c> or <c>nchw</c>.</summary>
    public required string DataFormat { get; init; }

    /// <summary>The compiler's memory statistics (one device).</summary>
    public required TopologyMemory Memory { get; init; }

    /// <summary>Buffers of the optimized program's entry computation.</summary>
    public required int Buffers { get; init; }

    /// <summary>Sum of the buffers' logical bytes.</summary>
    public required long LogicalBytes { get; init; }

    /// <summary>Sum of the buffers' bytes under the compiler's layouts (tiles padded).</summary>
    public required long PaddedBytes { get; init; }

    /// <summary>Whether this result is for <paramref name="target"/> at <paramref name="batch"/> in <paramref name="format"/>.</summary>
    public bool IsFor(TopologyTarget target, int batch, DataFormat format)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Topology == target.Name && TopologyOptions.SequenceEqual(target.Options, StringComparer.Ordinal)
            && PlatformName == target.PlatformName && PlatformVersion == target.PlatformVersion
            && Devices == target.Devices && Replicas == target.Replicas && Batch == batch && DataFormat == format.Spelling();
    }
}

/// <summary>Compiles a model's train step for a topology, without a client.</summary>
public interface ITopologyCompiler
{
    /// <summary>The topology and replicas compiled for.</summary>
    TopologyTarget Target { get; }

    /// <summary>Compiles the train step of <paramref name="spec"/> at global batch <paramref name="batch"/> in <paramref name="format"/>.</summary>
    /// <exception cref="TopologyCompileException">The compile failed or its optimized program cannot be read.</exception>
    TopologyCompileResult Compile(Vgg16Spec spec, int batch, DataFormat format);
}

/// <summary>A train step could not be compiled for the topology; <see cref="Exception.InnerException"/> holds the plugin's error when it has one.</summary>
public sealed class TopologyCompileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TopologyCompileException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TopologyCompileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TopologyCompileException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
