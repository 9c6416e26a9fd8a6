using System.Text.Json;

namespace XlaPrune.Cli.Tests;

/// <summary><c>study --topology</c>: a run that compiles every cell for a topology, and the refusals, each before the output folder exists.</summary>
public sealed class StudyTopologyCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-study-topology-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private CliRunner.Result Study(params string[] extra) => CliRunner.RunIn(_work,
    [
        "study", "--dataset-dir", TinyDataset.Create(Path.Combine(_work, "data")), "--width", "0.03125", "--train-limit", "48", "--test-limit", "24",
        "--baseline-epochs", "1", "--retrain-epochs", "0", "--methods", "l1-reload", "--ratios", "0,0.5", "--no-profile", "--out", "s", .. extra,
    ]);

    [Fact]
    public void A_study_for_a_topology_records_the_compilers_numbers_in_every_cell_and_labels_them()
    {
        var r = Study("--topology", "cpu", "--topology-option", "cpu_device_count=2");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "s", "results.json")));
        Assert.Equal(2, json.RootElement.GetArrayLength());
        foreach (var cell in json.RootElement.EnumerateArray())
        {
            var compiled = cell.GetProperty("compiled_for_topology");
            Assert.Equal("cpu", compiled.GetProperty("topology").GetString());
            Assert.Equal(["cpu_device_count=2"], compiled.GetProperty("topology_options").EnumerateArray().Select(o => o.GetString()));
            Assert.Equal(2, compiled.GetProperty("devices").GetInt32());
            Assert.Equal(1, compiled.GetProperty("replicas").GetInt32());
            Assert.Equal(128, compiled.GetProperty("batch").GetInt32()); // the quick preset's profiled batch
            Assert.True(compiled.GetProperty("memory").GetProperty("peak_bytes").GetInt64() > compiled.GetProperty("memory").GetProperty("argument_bytes").GetInt64());
        }

        var report = File.ReadAllText(Path.Combine(_work, "s", "report.md"));
        Assert.Contains("- **compiled for topology cpu** (platform cpu ", report, StringComparison.Ordinal);
        Assert.Contains("- **measured**: not measured (no plugin profiled the train step).", report, StringComparison.Ordinal);
        Assert.Contains("(options cpu_device_count=2)", report, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(_work, "s", "topology")).Select(Path.GetFileName), f => f!.StartsWith("2-2-4-4-8-8-8-16-16-16-16-16-16_b128_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--topology v5e:2x2", "--topology: INVALID_ARGUMENT: unknown topology 'v5e:2x2' for the XlaPrune CPU plugin: expected 'cpu' or 'cpu:N' with N in 1..1024")]
    [InlineData("--topology cpu --topology-option wrap=1,1,0", "--topology: INVALID_ARGUMENT: unknown topology option 'wrap' for the XlaPrune CPU plugin (known options: cpu_device_count)")]
    [InlineData("--topology cpu --topology-option cpu_device_count", "--topology-option: expected KEY=VALUE, got 'cpu_device_count'")]
    [InlineData("--topology-option cpu_device_count=2", "--topology-option needs --topology")]
    [InlineData("--topology-plugin cpu", "--topology-plugin needs --topology")]
    [InlineData("--topology cpu --devices 2", "--topology: topology cpu has 1 device, fewer than the 2 replicas of the train step (--devices 2)")]
    public void Impossible_topologies_exit_2_naming_the_option_before_anything_is_written(string options, string error)
    {
        var r = Study(options.Split(' '));

        Refusal.Assert(r, 2, error);
        Assert.False(Directory.Exists(Path.Combine(_work, "s")));
    }

    [Fact]
    public void A_plugin_without_topologies_exits_2_naming_the_option_and_the_call()
    {
        var fake = FakePlugin("old_minor");

        var r = Study("--topology", "cpu", "--topology-plugin", fake);

        Refusal.Assert(r, 2, $"--topology: the plugin {fake} cannot compile for topologies: UNIMPLEMENTED: PJRT_TopologyDescription_Create: this fake plugin implements only clients");
        Assert.False(Directory.Exists(Path.Combine(_work, "s")));
    }

    [Fact]
    public void A_topology_plugin_that_cannot_be_loaded_exits_3_naming_its_option()
    {
        var r = Study("--topology", "cpu", "--topology-plugin", "nosuch");

        Refusal.Assert(r, 3, "--topology-plugin: Unknown PJRT plugin name 'nosuch': use a path to a plugin library, one of cpu, tpu, cuda, or a name listed in PJRT_NAMES_AND_LIBRARY_PATHS.");
        Assert.False(Directory.Exists(Path.Combine(_work, "s")));
    }

    // The fake plugins the native build makes for the loader tests (artifacts/native/lib of this checkout).
    private static string FakePlugin(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "XlaPrune.sln")))
            {
                var path = Path.Combine(folder.FullName, "artifacts", "native", "lib", $"libxlaprune_fake_{name}.so");
                return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the CMake target xlaprune_fake_plugins first.");
            }
        }

        throw new InvalidOperationException("Tests must run from inside the XlaPrune checkout.");
    }
}
