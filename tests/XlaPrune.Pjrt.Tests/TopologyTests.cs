namespace XlaPrune.Pjrt.Tests;

/// <summary>Topologies and client-less compilation (PjrtTopology, PjrtExecutable) against our CPU plugin.</summary>
public sealed class TopologyTests : IDisposable
{
    private readonly PjrtPlugin _plugin;

    public TopologyTests()
    {
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
    }

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public void Named_topology_reports_platform_devices_attributes_and_serialized_form()
    {
        using var topology = _plugin.CreateTopology("cpu:4");
        Assert.Equal("cpu:4", topology.Name);
        Assert.Equal("cpu", topology.PlatformName);
        Assert.Equal("XlaPrune CPU 0.1.0", topology.PlatformVersion);
        var devices = topology.Devices;
        Assert.Equal([0, 1, 2, 3], devices.Select(d => d.Id));
        Assert.All(devices, d => Assert.Equal("cpu", d.Kind));
        Assert.Equal("cpu:2", devices[2].DebugString);
        Assert.Equal(2L, devices[2].Attributes["local_hardware_id"]);
        Assert.Equal(4L, topology.Attributes["cpu_device_count"]);
        Assert.Equal("XlaPruneCpuTopology\ncpu:4"u8.ToArray(), topology.Serialize());
    }

    [Fact]
    public void Option_sets_the_device_count_and_bad_names_or_options_are_refused_by_name()
    {
        using (var topology = _plugin.CreateTopology("cpu", new Dictionary<string, object> { ["cpu_device_count"] = 3L }))
        {
            Assert.Equal(3, topology.Devices.Count);
        }

        var name = Assert.Throws<PjrtException>(() => _plugin.CreateTopology("v5e:2x2"));
        Assert.Equal(PjrtErrorCode.InvalidArgument, name.Code);
        Assert.Equal("unknown topology 'v5e:2x2' for the XlaPrune CPU plugin: expected 'cpu' or 'cpu:N' with N in 1..1024", name.Message);
        var option = Assert.Throws<PjrtException>(() => _plugin.CreateTopology("cpu", new Dictionary<string, object> { ["num_slices"] = 2L }));
        Assert.Equal(PjrtErrorCode.InvalidArgument, option.Code);
        Assert.Equal("unknown topology option 'num_slices' for the XlaPrune CPU plugin (known options: cpu_device_count)", option.Message);
    }

    [Fact]
    public void Compile_for_a_topology_reports_memory_cost_outputs_program_and_fingerprint()
    {
        using var topology = _plugin.CreateTopology("cpu:2");
        using var executable = topology.CompileHlo(HloTestModules.AddF32x2x3());
        Assert.Equal("add_module", executable.Name);
        Assert.Equal(1, executable.NumReplicas);
        Assert.Equal(1, executable.NumOutputs);
        Assert.Equal([PjrtElementType.F32], executable.OutputElementTypes);
        Assert.Equal([2L, 3L], Assert.Single(executable.OutputDimensions));
        var stats = executable.GetCompiledMemoryStats();
        Assert.Equal(2 * 6 * 4, stats.ArgumentSizeInBytes);
        Assert.Equal(6 * 4, stats.OutputSizeInBytes);
        Assert.Equal(0, stats.GeneratedCodeSizeInBytes);
        var cost = executable.GetCostAnalysis();
        Assert.Equal(["bytes accessed", "flops", "transcendentals"], cost.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(6f, cost["flops"]);
        Assert.Equal(3 * 6 * 4f, cost["bytes accessed"]); // two inputs read, one output written
        var program = executable.GetOptimizedProgram();
        Assert.Equal("hlo", program.Format);
        Assert.NotEmpty(program.Code);
        Assert.Matches("^[0-9a-f]{16}$", executable.Fingerprint);
    }

    [Fact]
    public void Serialized_topology_executable_loads_and_runs_bit_exactly_like_a_direct_compile()
    {
        float[] x = [0.1f, -2.5f, 3.25e-7f, 1e30f, -0f, 7f];
        float[] y = [0.2f, 2.5f, 1f, 1e30f, 0f, -1f / 3];
        byte[] serialized;
        string fingerprint;
        using (var topology = _plugin.CreateTopology("cpu"))
        using (var executable = topology.CompileHlo(HloTestModules.AddF32x2x3()))
        {
            serialized = executable.Serialize();
            fingerprint = executable.Fingerprint;
        }

        using var client = _plugin.CreateClient();
        using var loaded = client.DeserializeAndLoad(serialized);
        using var direct = client.CompileHlo(HloTestModules.AddF32x2x3());
        Assert.Equal(fingerprint, loaded.Fingerprint);
        Assert.Equal(fingerprint, direct.Fingerprint);
        var fromTopology = Run(client, loaded, x, y);
        var fromClient = Run(client, direct, x, y);
        Assert.Equal(BitConverter.SingleToInt32Bits(0.1f + 0.2f), BitConverter.SingleToInt32Bits(fromTopology[0]));
        Assert.Equal(fromClient.Select(BitConverter.SingleToInt32Bits), fromTopology.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_plugin_without_topologies_answers_unimplemented_naming_the_call()
    {
        var plugin = PjrtPlugin.Load(TestPaths.Fake("old_minor"));
        var error = Assert.Throws<PjrtException>(() => plugin.CreateTopology("cpu"));
        Assert.Equal(PjrtErrorCode.Unimplemented, error.Code);
        Assert.Equal("PJRT_TopologyDescription_Create: this fake plugin implements only clients", error.Message);
    }

    private static float[] Run(PjrtClient client, PjrtLoadedExecutable executable, float[] x, float[] y)
    {
        using var bx = client.BufferFromHost<float>(x, [2, 3]);
        using var by = client.BufferFromHost<float>(y, [2, 3]);
        var outputs = executable.Execute([bx, by], ExecuteOptions.NoDonation(2));
        using var output = Assert.Single(outputs);
        return output.ToArray<float>();
    }
}
