using System.Text.Json;

namespace XlaPrune.Cli.Tests;

/// <summary><c>compile --topology</c>, <c>layout --from-compiled</c> and <c>layout --from-hlo</c>: the issue's JSON contract.</summary>
public sealed class TopologyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-topology-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Compile_for_a_topology_reports_memory_cost_and_every_buffer_with_its_layout()
    {
        var module = Path.Combine(_dir, "step.pb");
        var options = Path.Combine(_dir, "options.pb");
        Assert.Equal(0, CliRunner.Run("hlo", "--width", "0.125", "--batch", "2", "--data-format", "nchw", "--out", module, "--compile-options", options).ExitCode);
        // CompileOptionsProto{executable_build_options (3){device_ordinal (1) = -1, num_replicas (4) = 1, num_partitions (5) = 1}}.
        Assert.Equal([0x1A, 0x0F, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x20, 0x01, 0x28, 0x01], File.ReadAllBytes(options));

        var r = CliRunner.Run("compile", module, "--topology", "cpu:2", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(["topology", "memory", "cost", "buffers", "totals"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("cpu:2", root.GetProperty("topology").GetProperty("name").GetString());
        Assert.Equal(2, root.GetProperty("topology").GetProperty("devices").GetInt32());
        var memory = root.GetProperty("memory");
        Assert.Equal(["argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "generated_code_bytes", "peak_bytes"],
            memory.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, memory.GetProperty("generated_code_bytes").GetInt64());
        Assert.Equal(["flops", "transcendentals", "bytes accessed"], root.GetProperty("cost").EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("cost").GetProperty("flops").GetDouble() > 0);

        var buffers = root.GetProperty("buffers").EnumerateArray().ToList();
        var first = buffers[0];
        Assert.Equal(["name", "shape", "layout", "logical_bytes", "padded_bytes"], first.EnumerateObject().Select(p => p.Name));
        // conv1's kernel at width 0.125: 8 output channels of 3x3x3; our plugin keeps it dense and row-major.
        Assert.Equal("conv1.weight", first.GetProperty("name").GetString());
        Assert.Equal("f32[8,3,3,3]", first.GetProperty("shape").GetString());
        Assert.Equal("{3,2,1,0}", first.GetProperty("layout").GetString());
        Assert.Equal(8 * 3 * 3 * 3 * 4, first.GetProperty("logical_bytes").GetInt64());
        long logical = 0;
        foreach (var b in buffers)
        {
            // Every buffer dense and row-major, so padded equals logical equals element size x elements.
            var shape = b.GetProperty("shape").GetString()!;
            var open = shape.IndexOf('[', StringComparison.Ordinal);
            var elementBytes = shape[..open] switch { "f32" or "s32" => 4, "pred" => 1, var t => throw new InvalidOperationException($"unexpected type {t}") };
            var dims = shape[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
            Assert.Equal("{" + string.Join(",", Enumerable.Range(0, dims.Length).Reverse()) + "}", b.GetProperty("layout").GetString());
            Assert.Equal(elementBytes * dims.Aggregate(1L, (a, d) => a * d), b.GetProperty("logical_bytes").GetInt64());
            Assert.Equal(b.GetProperty("logical_bytes").GetInt64(), b.GetProperty("padded_bytes").GetInt64());
            logical += b.GetProperty("logical_bytes").GetInt64();
        }

        Assert.Equal(logical, root.GetProperty("totals").GetProperty("logical_bytes").GetInt64());
        Assert.Equal(logical, root.GetProperty("totals").GetProperty("padded_bytes").GetInt64());
        // Every parameter of the step (weights, momenta, BN statistics, the batch) is a buffer; its bytes are the arguments.
        Assert.True(logical > memory.GetProperty("argument_bytes").GetInt64());
    }

    [Fact]
    public void Layout_from_compiled_reports_the_same_contract_for_the_train_step()
    {
        var r = CliRunner.Run("layout", "--from-compiled", "--topology", "cpu", "--width", "0.125", "--batch", "2", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(1, root.GetProperty("topology").GetProperty("devices").GetInt32());
        Assert.Equal("conv1.weight", root.GetProperty("buffers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Layout_from_hlo_reproduces_the_padded_bytes_of_real_tpu_reports()
    {
        var r = CliRunner.Run("layout", "--from-hlo", Path.Combine(AppContext.BaseDirectory, "Data", "real_tpu_layouts.hlo"), "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        var copy = root.GetProperty("buffers")[0];
        Assert.Equal("copy.40488", copy.GetProperty("name").GetString());
        Assert.Equal("s32[8388608,8,4]", copy.GetProperty("shape").GetString());
        Assert.Equal("{2,1,0:T(8,128)}", copy.GetProperty("layout").GetString());
        Assert.Equal(1_073_741_824L, copy.GetProperty("logical_bytes").GetInt64()); // report: 1.00G
        Assert.Equal(34_359_738_368L, copy.GetProperty("padded_bytes").GetInt64()); // report: 32.00G
        // Sums over the six buffers (each checked in the Layout tests against its report).
        Assert.Equal(2_849_243_136L, root.GetProperty("totals").GetProperty("logical_bytes").GetInt64());
        Assert.Equal(62_394_466_304L, root.GetProperty("totals").GetProperty("padded_bytes").GetInt64());
    }

    [Fact]
    public void Bad_topologies_options_and_files_fail_with_one_line_and_the_documented_code()
    {
        var module = Path.Combine(_dir, "step.pb");
        Assert.Equal(0, CliRunner.Run("hlo", "--width", "0.125", "--batch", "2", "--program", "eval-step", "--out", module).ExitCode);

        var unknown = CliRunner.Run("compile", module, "--topology", "v5e:2x2");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal(
            $"xlaprune: compiling {module} for topology v5e:2x2 failed: INVALID_ARGUMENT: unknown topology 'v5e:2x2' for the XlaPrune CPU plugin: expected 'cpu' or 'cpu:N' with N in 1..1024",
            unknown.StdErr.Trim());

        var option = CliRunner.Run("compile", module, "--topology", "cpu", "--topology-option", "wrap=1,1,0");
        Assert.Equal(1, option.ExitCode);
        Assert.EndsWith("INVALID_ARGUMENT: unknown topology option 'wrap' for the XlaPrune CPU plugin (known options: cpu_device_count)", option.StdErr.Trim(), StringComparison.Ordinal);

        var malformed = CliRunner.Run("compile", module, "--topology", "cpu", "--topology-option", "cpu_device_count");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Equal("xlaprune: --topology-option: expected KEY=VALUE, got 'cpu_device_count'", malformed.StdErr.Trim());

        var orphan = CliRunner.Run("compile", module, "--topology-option", "cpu_device_count=2");
        Assert.Equal(2, orphan.ExitCode);
        Assert.Equal("xlaprune: --topology-option needs --topology", orphan.StdErr.Trim());

        var missing = CliRunner.Run("layout", "--from-hlo", "/nonexistent/dump.txt");
        Assert.Equal(3, missing.ExitCode);
        Assert.StartsWith("xlaprune: cannot read HLO text /nonexistent/dump.txt", missing.StdErr.Trim(), StringComparison.Ordinal);

        var bad = Path.Combine(_dir, "bad.hlo");
        File.WriteAllText(bad, "HloModule m\n\nENTRY %main {\n  %x = f32[2,3]{1,0:T(8,128) parameter(0)\n}\n");
        var badShape = CliRunner.Run("layout", "--from-hlo", bad);
        Assert.Equal(3, badShape.ExitCode);
        Assert.Equal($"xlaprune: {bad}: line 4: expected a layout part such as T(8,128), got ' ' at column 29 of '  %x = f32[2,3]{{1,0:T(8,128) parameter(0)'", badShape.StdErr.Trim());
    }
}
