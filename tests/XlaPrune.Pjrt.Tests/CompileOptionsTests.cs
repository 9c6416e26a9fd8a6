namespace XlaPrune.Pjrt.Tests;

/// <summary>CompileOptionsProto bytes, checked against hand-encoded protobuf.</summary>
public sealed class CompileOptionsTests
{
    [Fact]
    public void Default_options_are_one_replica_one_partition_and_an_unset_ordinal()
    {
        // executable_build_options (3) { device_ordinal (1) = -1, num_replicas (4) = 1, num_partitions (5) = 1 }
        byte[] expected = [0x1A, 0x0F, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x20, 0x01, 0x28, 0x01];
        Assert.Equal(expected, CompileOptions.Default.ToProtoBytes());
    }

    [Fact]
    public void Device_assignment_is_written_per_computation()
    {
        var options = new CompileOptions { Replicas = 2, Partitions = 1, DeviceAssignment = [1, 0] };
        byte[] expected =
        [
            0x1A, 0x1B,
            0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, // device_ordinal = -1
            0x20, 0x02, // num_replicas = 2
            0x28, 0x01, // num_partitions = 1
            0x4A, 0x0A, // device_assignment (9)
            0x08, 0x02, 0x10, 0x01, // replica_count = 2, computation_count = 1
            0x1A, 0x04, 0x0A, 0x02, 0x01, 0x00, // computation_devices { replica_device_ids = [1, 0] }
        ];
        Assert.Equal(expected, options.ToProtoBytes());
    }

    [Fact]
    public void Argument_layouts_become_shape_protos_with_xla_primitive_types()
    {
        var options = CompileOptions.Default with { ArgumentLayouts = [ArgumentLayout.RowMajor(PjrtElementType.BF16, 4, 8)] };
        var bytes = options.ToProtoBytes();
        // argument_layouts (1) { element_type (2) = BF16 (16), dimensions (3) = [4, 8], layout (5) { minor_to_major (1) = [1, 0] } }
        byte[] shape = [0x0A, 0x0C, 0x10, 0x10, 0x1A, 0x02, 0x04, 0x08, 0x2A, 0x04, 0x0A, 0x02, 0x01, 0x00];
        Assert.Equal(shape, bytes[..shape.Length]);
    }

    [Fact]
    public void Wrong_sized_device_assignment_is_rejected_with_both_counts()
    {
        var options = new CompileOptions { Replicas = 2, Partitions = 2, DeviceAssignment = [0, 1, 2] };
        var error = Assert.Throws<ArgumentException>(() => options.ToProtoBytes());
        Assert.Equal("Device assignment has 3 entries but 2 replicas x 2 partitions need 4.", error.Message);
    }
}
