using System.Collections.ObjectModel;
using Google.Protobuf;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Pjrt;

/// <summary>
/// Immutable compile settings, serialized as XLA's <c>CompileOptionsProto</c> for <c>PJRT_Client_Compile</c>.
/// The defaults (1 replica, 1 partition, device ordinal unset) compile for one device.
/// </summary>
public sealed record CompileOptions
{
    private readonly IReadOnlyList<int>? _deviceAssignment;
    private readonly IReadOnlyList<ArgumentLayout>? _argumentLayouts;

    /// <summary>One replica, one partition, the plugin's default device.</summary>
    public static CompileOptions Default { get; } = new();

    /// <summary>Number of replicas (data-parallel copies); at least 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Number of partitions (model-parallel shards); at least 1.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>
    /// Device ids indexed [replica * Partitions + partition], or null to let the plugin choose.
    /// Its length must be <c>Replicas * Partitions</c>.
    /// </summary>
    public IReadOnlyList<int>? DeviceAssignment
    {
        get => _deviceAssignment;
        init => _deviceAssignment = value is null ? null : new ReadOnlyCollection<int>([.. value]);
    }

    /// <summary>Layouts the entry parameters must have, or null to let the compiler choose.</summary>
    public IReadOnlyList<ArgumentLayout>? ArgumentLayouts
    {
        get => _argumentLayouts;
        init => _argumentLayouts = value is null ? null : new ReadOnlyCollection<ArgumentLayout>([.. value]);
    }

    /// <summary>The serialized <c>xla.CompileOptionsProto</c> (field numbers from xla/pjrt/proto/compile_options.proto).</summary>
    public byte[] ToProtoBytes()
    {
        if (Replicas < 1 || Partitions < 1)
        {
            throw new ArgumentException($"Compile options need at least 1 replica and 1 partition (got {Replicas} and {Partitions}).");
        }

        if (DeviceAssignment is { } assignment && assignment.Count != Replicas * Partitions)
        {
            throw new ArgumentException(
                $"Device assignment has {assignment.Count} entries but {Replicas} replicas x {Partitions} partitions need {Replicas * Partitions}.");
        }

        var build = new ExecutableBuildOptionsProto { DeviceOrdinal = -1, NumReplicas = Replicas, NumPartitions = Partitions };
        if (DeviceAssignment is { } ids)
        {
            build.DeviceAssignment = new DeviceAssignmentProto { ReplicaCount = Replicas, ComputationCount = Partitions };
            for (var partition = 0; partition < Partitions; partition++)
            {
                var devices = new DeviceAssignmentProto.Types.ComputationDevice();
                devices.ReplicaDeviceIds.AddRange(Enumerable.Range(0, Replicas).Select(r => (long)ids[(r * Partitions) + partition]));
                build.DeviceAssignment.ComputationDevices.Add(devices);
            }
        }

        var proto = new CompileOptionsProto { ExecutableBuildOptions = build };
        proto.ArgumentLayouts.AddRange((ArgumentLayouts ?? []).Select(l => l.ToShapeProto()));
        return proto.ToByteArray();
    }
}

/// <summary>A required parameter layout: shape and minor-to-major dimension order.</summary>
/// <param name="ElementType">Element type of the parameter.</param>
/// <param name="Dimensions">Parameter shape.</param>
/// <param name="MinorToMajor">Dimension order, most minor first (a permutation of 0..rank-1).</param>
public sealed record ArgumentLayout(PjrtElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<long> MinorToMajor)
{
    /// <summary>The row-major layout (last dimension most minor) for a shape.</summary>
    public static ArgumentLayout RowMajor(PjrtElementType elementType, params long[] dimensions) =>
        new(elementType, dimensions, Enumerable.Range(0, dimensions.Length).Reverse().Select(i => (long)i).ToArray());

    internal ShapeProto ToShapeProto()
    {
        if (MinorToMajor.Count != Dimensions.Count || MinorToMajor.Order().Select((d, i) => d == i).Any(ok => !ok))
        {
            throw new ArgumentException(
                $"Layout [{string.Join(",", MinorToMajor)}] is not a permutation of the {Dimensions.Count} dimensions of [{string.Join(",", Dimensions)}].");
        }

        var shape = new ShapeProto { ElementType = (PrimitiveType)PrimitiveTypeOf(ElementType), Layout = new LayoutProto() };
        shape.Dimensions.AddRange(Dimensions);
        shape.Layout.MinorToMajor.AddRange(MinorToMajor);
        return shape;
    }

    // PJRT_Buffer_Type and xla.PrimitiveType number the same types differently.
    private static long PrimitiveTypeOf(PjrtElementType type) => type switch
    {
        >= PjrtElementType.Pred and <= PjrtElementType.F64 => (long)type,
        PjrtElementType.BF16 => 16,
        PjrtElementType.C64 => 15,
        PjrtElementType.C128 => 18,
        PjrtElementType.F8E5M2 => 19,
        PjrtElementType.F8E4M3FN => 20,
        PjrtElementType.F8E4M3B11FNUZ => 23,
        PjrtElementType.F8E5M2FNUZ => 24,
        PjrtElementType.F8E4M3FNUZ => 25,
        PjrtElementType.S4 => 21,
        PjrtElementType.U4 => 22,
        PjrtElementType.Token => 17,
        PjrtElementType.S2 => 26,
        PjrtElementType.U2 => 27,
        PjrtElementType.F8E4M3 => 28,
        PjrtElementType.F8E3M4 => 29,
        PjrtElementType.F8E8M0FNU => 33,
        PjrtElementType.F4E2M1FN => 32,
        PjrtElementType.S1 => 30,
        PjrtElementType.U1 => 31,
        _ => throw new ArgumentException($"Element type {type} has no XLA PrimitiveType known here.", nameof(type)),
    };
}
