namespace XlaPrune.Pjrt.Tests;

/// <summary>The managed API against our CPU plugin (artifacts/native/lib/libxlaprune_pjrt_cpu.so).</summary>
public sealed class CpuPluginTests : IDisposable
{
    private static readonly float[] s_x = [1, 2, 3, 4, 5, 6];
    private static readonly float[] s_y = [10, 20, 30, 40, 50, 60];
    private static readonly float[] s_sum = [11, 22, 33, 44, 55, 66];

    private readonly PjrtPlugin _plugin;

    public CpuPluginTests()
    {
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
    }

    public void Dispose()
    {
        // Every test disposes what it made: nothing native may outlive it.
        Assert.Equal(0, PjrtDiagnostics.LiveObjects);
    }

    [Fact]
    public void Cpu_name_finds_our_plugin_at_the_current_API_version()
    {
        Assert.EndsWith("/libxlaprune_pjrt_cpu.so", _plugin.Path, StringComparison.Ordinal);
        Assert.Equal(0, _plugin.MajorVersion);
        Assert.Equal(114, _plugin.MinorVersion);
        Assert.Equal(1144, _plugin.ApiStructSize);
    }

    [Fact]
    public void Client_reports_platform_devices_and_memories()
    {
        using var client = _plugin.CreateClient(new Dictionary<string, object> { ["cpu_device_count"] = 2L });
        Assert.Equal("cpu", client.PlatformName);
        Assert.Equal("XlaPrune CPU 0.1.0", client.PlatformVersion);
        Assert.Equal(2, client.Devices.Count);
        Assert.Equal([0, 1], client.AddressableDevices.Select(d => d.Id));
        var device = client.AddressableDevices[1];
        Assert.Equal("cpu", device.Kind);
        Assert.True(device.IsAddressable);
        Assert.Equal(0, device.ProcessIndex);
        Assert.Same(device, client.LookupDevice(1));
        Assert.Equal("device", device.DefaultMemory.Kind);
        Assert.Contains(device, device.DefaultMemory.AddressableByDevices);
        Assert.Equal(2, client.AddressableMemories.Count);
    }

    [Fact]
    public void Unknown_create_option_is_an_invalid_argument_from_the_plugin()
    {
        var error = Assert.Throws<PjrtException>(() => _plugin.CreateClient(new Dictionary<string, object> { ["warp"] = 1L }));
        Assert.Equal(PjrtErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'warp'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buffers_move_to_the_device_and_back()
    {
        using var client = _plugin.CreateClient();
        using var buffer = client.BufferFromHost<float>(s_x, [2, 3]);
        Assert.Equal(PjrtElementType.F32, buffer.ElementType);
        Assert.Equal([2L, 3L], buffer.Dimensions);
        Assert.Equal(24, buffer.OnDeviceSizeInBytes);
        Assert.Equal(s_x, buffer.ToArray<float>());
        Assert.Equal(client.AddressableDevices[0], buffer.Device);
        Assert.False(buffer.IsDeleted);

        using var integers = client.BufferFromHost<int>([7, -8, 9], [3]);
        Assert.Equal(PjrtElementType.S32, integers.ElementType);
        Assert.Equal([7, -8, 9], integers.ToArray<int>());
    }

    [Fact]
    public async Task Buffers_come_back_asynchronously_and_ready_events_complete()
    {
        using var client = _plugin.CreateClient();
        using var buffer = client.BufferFromHost<float>(s_y, [6]);
        using (var ready = buffer.ReadyEvent())
        {
            await ready;
            Assert.True(ready.IsReady);
        }

        Assert.Equal(s_y, await buffer.ToArrayAsync<float>());
    }

    [Fact]
    public void Host_data_of_the_wrong_size_is_refused_before_any_native_call()
    {
        using var client = _plugin.CreateClient();
        var error = Assert.Throws<ArgumentException>(() => client.BufferFromHost<float>(s_x, [4, 2]));
        Assert.StartsWith("Host data has 24 bytes but a F32 array of shape [4,2] needs 32.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_layout_of_a_dense_matrix_is_row_major()
    {
        using var client = _plugin.CreateClient();
        using var buffer = client.BufferFromHost<float>(s_x, [2, 3]);
        var layout = buffer.GetMemoryLayout();
        Assert.Equal(PjrtLayoutKind.Tiled, layout.Kind);
        Assert.Equal([1L, 0L], layout.MinorToMajor);
    }

    [Fact]
    public void Device_memory_stats_count_live_buffers()
    {
        using var client = _plugin.CreateClient();
        var device = client.AddressableDevices[0];
        var before = device.GetMemoryStats();
        using (var buffer = client.BufferFromHost<float>(s_x, [2, 3]))
        {
            var during = device.GetMemoryStats();
            Assert.Equal(before.BytesInUse + buffer.OnDeviceSizeInBytes, during.BytesInUse);
            Assert.True(during.PeakBytesInUse >= during.BytesInUse);
            Assert.Equal(before.NumAllocs + 1, during.NumAllocs);
        }

        Assert.Equal(before.BytesInUse, device.GetMemoryStats().BytesInUse);
    }

    [Fact]
    public void Hlo_program_compiles_and_adds_two_matrices()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        Assert.Equal(1, executable.NumReplicas);
        Assert.Equal(1, executable.NumPartitions);
        Assert.Equal(1, executable.NumOutputs);
        Assert.Equal([PjrtElementType.F32], executable.OutputElementTypes);
        Assert.Equal([2L, 3L], Assert.Single(executable.OutputDimensions));

        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        var outputs = executable.Execute([x, y], ExecuteOptions.NoDonation(2));
        using var sum = Assert.Single(outputs);
        Assert.Equal(s_sum, sum.ToArray<float>());
        Assert.False(x.IsDeleted);
        Assert.Equal(s_x, x.ToArray<float>());
    }

    [Fact]
    public void Compiled_memory_stats_count_arguments_and_outputs()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        var stats = executable.GetCompiledMemoryStats();
        Assert.Equal(48, stats.ArgumentSizeInBytes);
        Assert.Equal(24, stats.OutputSizeInBytes);
    }

    [Fact]
    public void Serialized_executable_loads_again_and_computes_the_same()
    {
        using var client = _plugin.CreateClient();
        byte[] serialized;
        using (var executable = client.CompileHlo(HloTestModules.AddF32x2x3()))
        {
            serialized = executable.Serialize();
        }

        using var loaded = client.DeserializeAndLoad(serialized);
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        var outputs = loaded.Execute([x, y]);
        using var sum = Assert.Single(outputs);
        Assert.Equal(s_sum, sum.ToArray<float>());
    }

    [Fact]
    public void Unknown_program_format_is_an_invalid_argument()
    {
        using var client = _plugin.CreateClient();
        var error = Assert.Throws<PjrtException>(() => client.Compile([1, 2, 3], "onnx"u8, CompileOptions.Default));
        Assert.Equal(PjrtErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Buffers_keep_their_client_alive_after_the_client_is_disposed()
    {
        var client = _plugin.CreateClient();
        var buffer = client.BufferFromHost<float>(s_x, [2, 3]);
        client.Dispose();
        Assert.Equal(1, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Client));
        Assert.Equal(s_x, buffer.ToArray<float>());
        buffer.Dispose();
        Assert.Equal(0, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Client));
        Assert.Throws<ObjectDisposedException>(() => client.PlatformName);
    }

    [Fact]
    public async Task Created_events_complete_with_the_error_they_are_set_to()
    {
        using (var ok = _plugin.CreateEvent())
        {
            var waiting = ok.AsTask();
            Assert.False(ok.IsReady);
            ok.Set();
            await waiting;
        }

        using var failed = _plugin.CreateEvent();
        failed.Set(PjrtErrorCode.Aborted, "stopped by the test");
        var error = await Assert.ThrowsAsync<PjrtException>(async () => await failed);
        Assert.Equal(PjrtErrorCode.Aborted, error.Code);
        Assert.Equal("stopped by the test", error.Message);
    }

    [Fact]
    public void Plugin_attributes_name_the_API_level_and_program_format()
    {
        Assert.Equal(114L, _plugin.Attributes["xla_version"]);
        Assert.Equal("hlo", _plugin.Attributes["program_formats"]);
    }

    [Fact]
    public void Describe_lists_the_cpu_device_and_its_memory()
    {
        var description = _plugin.Describe();
        Assert.Equal("cpu", description.PlatformName);
        Assert.Equal(114, description.MinorVersion);
        var device = Assert.Single(description.Devices);
        Assert.Equal((0, "cpu", true), (device.Id, device.Kind, device.IsAddressable));
        var memory = Assert.Single(description.Memories);
        Assert.Equal("device", memory.Kind);
        Assert.Equal([0], memory.DeviceIds);
    }

    [Fact]
    public void Cost_analysis_counts_one_flop_per_added_element()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        Assert.Equal(6f, executable.GetCostAnalysis()["flops"]);
    }

    [Fact]
    public void Buffers_copy_between_devices()
    {
        using var client = _plugin.CreateClient(new Dictionary<string, object> { ["cpu_device_count"] = 2L });
        using var source = client.BufferFromHost<float>(s_x, [2, 3], client.AddressableDevices[0]);
        using var copy = source.CopyToDevice(client.AddressableDevices[1]);
        Assert.Equal(client.AddressableDevices[1], copy.Device);
        Assert.Equal(s_x, copy.ToArray<float>());
    }

    [Fact]
    public void Execute_with_too_few_arguments_is_refused_by_the_plugin()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        var error = Assert.Throws<PjrtException>(() => executable.Execute([x]));
        Assert.Equal(PjrtErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Non_donatable_indices_outside_the_arguments_are_refused_before_the_call()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        var error = Assert.Throws<ArgumentException>(() => executable.Execute([x, x], new ExecuteOptions { NonDonatableInputIndices = [2] }));
        Assert.StartsWith("Non-donatable input indices [2] must lie in [0, 2).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_replicas_run_the_program_on_two_devices()
    {
        using var client = _plugin.CreateClient(new Dictionary<string, object> { ["cpu_device_count"] = 2L });
        var options = new CompileOptions { Replicas = 2, DeviceAssignment = [0, 1] };
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3(), options);
        Assert.Equal(2, executable.NumReplicas);
        Assert.Equal([0, 1], executable.AddressableDevices.Select(d => d.Id));
        var devices = client.AddressableDevices;
        using var x0 = client.BufferFromHost<float>(s_x, [2, 3], devices[0]);
        using var y0 = client.BufferFromHost<float>(s_y, [2, 3], devices[0]);
        using var x1 = client.BufferFromHost<float>(s_y, [2, 3], devices[1]);
        using var y1 = client.BufferFromHost<float>(s_y, [2, 3], devices[1]);
        var outputs = executable.ExecuteSharded([[x0, y0], [x1, y1]]);
        using var first = Assert.Single(outputs[0]);
        using var second = Assert.Single(outputs[1]);
        Assert.Equal(s_sum, first.ToArray<float>());
        Assert.Equal(s_y.Select(v => v * 2).ToArray(), second.ToArray<float>());
        Assert.Equal(devices[1], second.Device);
    }

    [Fact]
    public void Optimized_program_comes_back_as_a_serialized_module()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        var program = executable.GetOptimizedProgram();
        Assert.Equal("hlo", program.Format);
        // The module's name is its first field: tag 0x0A, length 10, "add_module" (layouts: the CLI and native tests).
        Assert.Equal([0x0A, 10, .. "add_module"u8.ToArray()], program.Code.Take(12));
    }
}
