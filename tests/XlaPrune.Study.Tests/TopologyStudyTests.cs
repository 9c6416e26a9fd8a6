using System.Text.Json;
using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Torch;

namespace XlaPrune.Study.Tests;

/// <summary>
/// <c>study --topology</c> on our CPU plugin: every cell's train step compiled for the topology without a client,
/// with the compiler's own numbers, cached and resumed, and labelled apart from measured and modelled numbers.
/// </summary>
public sealed class TopologyStudyTests : IDisposable
{
    private const int Batch = 8;
    private static readonly PjrtPlugin s_plugin = PjrtPlugin.Load("cpu");
    private static readonly Dictionary<string, object> s_noOptions = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-topology-study-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private StudyOptions Tiny() => StudyOptions.Quick(_dir) with
    {
        Model = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 32),
        Methods = ["slimming-reload", "l1-reload"],
        Ratios = [0, 0.5],
        TrainLimit = 64,
        TestLimit = 32,
        BaselineEpochs = 1,
        RetrainEpochs = 1,
        ProfileBatch = Batch,
        ProfileSteps = 1,
        ProfileWarmup = 0,
    };

    [Theory]
    [InlineData("cpu", 1, 1)]
    [InlineData("cpu:2", 2, 1)]
    [InlineData("cpu:2", 2, 2)]
    public void Every_cell_holds_what_a_direct_topology_compile_of_its_train_step_reports(string topology, int devices, int replicas)
    {
        var options = Tiny();
        using var compiler = new CountingCompiler(new PjrtTopologyCompiler(s_plugin, topology, s_noOptions, replicas));
        using var profiler = new PjrtStepProfiler(s_plugin, replicas);

        var cells = new StudyRunner(options, new UntrainedTrainer(), profiler, compiler).Run();

        Assert.Equal(4, cells.Count);
        // Compiled once per distinct shape: both ratio-0 cells are the original.
        Assert.Equal(cells.Select(c => string.Join(',', c.ConvChannels)).Distinct().Count(), compiler.Calls);
        Assert.True(compiler.Calls < cells.Count);
        foreach (var cell in cells)
        {
            var t = cell.CompiledForTopology!;
            Assert.Equal((topology, devices, replicas, Batch, "nhwc", "cpu"), (t.Topology, t.Devices, t.Replicas, t.Batch, t.DataFormat, t.PlatformName));
            Assert.Empty(t.TopologyOptions);

            var spec = options.Model.WithConvChannels(cell.ConvChannels);
            var perReplica = Batch / replicas;
            var program = Vgg16Programs.TrainStep(spec, perReplica, new TrainStepOptions { Replicas = replicas });
            using var direct = s_plugin.CreateTopology(topology);
            var compileOptions = replicas == 1 ? null : new CompileOptions { Replicas = replicas, DeviceAssignment = [.. direct.Devices.Take(replicas).Select(d => d.Id)] };
            using var executable = direct.CompileHlo(program.Module.ToProtoBytes(), compileOptions);
            Assert.Equal(replicas, executable.NumReplicas);
            var stats = executable.GetCompiledMemoryStats();
            Assert.Equal(new TopologyMemory(stats.ArgumentSizeInBytes, stats.OutputSizeInBytes, stats.TempSizeInBytes, stats.AliasSizeInBytes,
                stats.GeneratedCodeSizeInBytes, stats.PeakMemoryInBytes), t.Memory);
            var optimized = executable.GetOptimizedProgram();
            var buffers = ProgramBuffers.FromModule(ProgramBuffers.ModuleOfOptimizedProgram(optimized.Format, optimized.Code));
            Assert.Equal((buffers.Count, ProgramBuffers.TotalLogicalBytes(buffers), ProgramBuffers.TotalPaddedBytes(buffers)), (t.Buffers, t.LogicalBytes, t.PaddedBytes));

            // By hand: parameters and momenta, BatchNorm statistics, one replica's images and labels, the rate;
            // everything but the loss aliased. Our plugin keeps every buffer dense: padded equals logical.
            var state = (2 * spec.ParameterCount * 4) + (spec.BatchNormStats.Sum(s => s.ElementCount) * 4);
            Assert.Equal(state + (perReplica * 32 * 32 * 4) + (perReplica * 4) + 4, t.Memory.ArgumentBytes);
            Assert.Equal(state, t.Memory.AliasBytes);
            Assert.Equal(t.LogicalBytes, t.PaddedBytes);
            Assert.True(t.Memory.PeakBytes > t.Memory.ArgumentBytes);
            // Measured on the plugin: a client compile of the same program by the same engine gives the same statistics.
            Assert.Equal((t.Memory.ArgumentBytes, t.Memory.TempBytes, t.Memory.AliasBytes, t.Memory.PeakBytes!.Value),
                (cell.CompiledMemory!.ArgumentBytes, cell.CompiledMemory.TempBytes, cell.CompiledMemory.AliasBytes, cell.CompiledMemory.PeakBytes));
        }

        AssertReportKeepsTheSourcesApart(cells, topology);
    }

    private void AssertReportKeepsTheSourcesApart(IReadOnlyList<CellResult> cells, string topology)
    {
        var report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains($"Every train step is also compiled for topology `{topology}` without a client", report, StringComparison.Ordinal);
        Assert.Contains("- **measured on plugin cpu** (", report, StringComparison.Ordinal);
        Assert.Contains($"- **compiled for topology {topology}** (platform cpu ", report, StringComparison.Ordinal);
        Assert.Contains("- **modelled (range over XLA's candidate TPU layouts; assumptions in docs/layout.md)**", report, StringComparison.Ordinal);
        Assert.Contains($"| method | ratio | compiled peak MiB (measured on plugin cpu) | arguments / outputs / temporaries / aliased MiB (compiled for topology {topology}) | peak MiB (compiled for topology {topology}) | buffers logical → padded MiB (compiled for topology {topology}) | logical MiB (modelled) | TPU-padded MiB, preferred [fewest–most] (modelled) |",
            report, StringComparison.Ordinal);
        Assert.Contains($"Compiled for topology {topology}: every distinct pruned shape's nhwc train step", report, StringComparison.Ordinal);

        var csv = File.ReadAllLines(Path.Combine(_dir, "results.csv"));
        Assert.Equal(ReportWriter.CsvHeader, csv[0]);
        var original = cells.Single(c => c.Method == "l1-reload" && c.Ratio == 0).CompiledForTopology!;
        Assert.EndsWith($",{topology},{original.Memory.ArgumentBytes},{original.Memory.OutputBytes},{original.Memory.TempBytes},{original.Memory.AliasBytes},{original.Memory.PeakBytes},{original.LogicalBytes},{original.PaddedBytes}",
            csv[1], StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "results.json")));
        var compiled = json.RootElement[0].GetProperty("compiled_for_topology");
        Assert.Equal(["topology", "topology_options", "platform_name", "platform_version", "devices", "replicas", "batch", "data_format", "memory", "buffers", "logical_bytes", "padded_bytes"],
            compiled.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "generated_code_bytes", "peak_bytes"],
            compiled.GetProperty("memory").EnumerateObject().Select(p => p.Name));
        Assert.Equal(original.Memory.PeakBytes, compiled.GetProperty("memory").GetProperty("peak_bytes").GetInt64());
    }

    [Fact]
    public void Reruns_reuse_replace_and_remove_the_topology_numbers_without_training_again()
    {
        var options = Tiny();
        var trainer = new UntrainedTrainer();
        CellResult[] Run(string? topology)
        {
            using var compiler = topology is null ? null : new CountingCompiler(new PjrtTopologyCompiler(s_plugin, topology, s_noOptions));
            var cells = new StudyRunner(options, trainer, profiler: null, compiler).Run();
            Compiles = compiler?.Calls ?? 0;
            return [.. cells];
        }

        var first = Run("cpu");
        var shapes = first.Select(c => string.Join(',', c.ConvChannels)).Distinct().Count();
        Assert.Equal((3, shapes), (trainer.Calls, Compiles)); // the original and two pruned cells trained; each shape compiled once
        var cpuCache = Directory.GetFiles(Path.Combine(_dir, "topology"));
        Assert.Equal(shapes, cpuCache.Length);
        var cellFile = Path.Combine(_dir, "cells", StudyRunner.CellId("l1-reload", 0.5, 0) + ".json");
        var firstBytes = File.ReadAllText(cellFile);

        // A killed run resumed: the lost cell is trained again, its shape's compile comes from topology/.
        File.Delete(cellFile);
        var resumed = Run("cpu");
        Assert.Equal((5, 0), (trainer.Calls, Compiles)); // the original reloaded, the lost cell retrained; nothing compiled
        Assert.Equal(Json(first), Json(resumed));

        // Another topology: every shape compiled for it, nothing trained, every cell holds the new numbers.
        var other = Run("cpu:2");
        Assert.Equal((5, shapes), (trainer.Calls, Compiles));
        Assert.All(other, c => Assert.Equal(("cpu:2", 2), (c.CompiledForTopology!.Topology, c.CompiledForTopology.Devices)));
        Assert.Contains("compiled for topology cpu:2", File.ReadAllText(Path.Combine(_dir, "report.md")), StringComparison.Ordinal);

        // No topology: the cells and the report lose the source the run did not ask for.
        var none = Run(null);
        Assert.Equal((5, 0), (trainer.Calls, Compiles));
        Assert.All(none, c => Assert.Null(c.CompiledForTopology));
        var report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.DoesNotContain("compiled for topology", report, StringComparison.Ordinal);
        Assert.Contains("- **compiled for a topology**: not compiled (study --plugin ... --topology NAME", report, StringComparison.Ordinal);
        Assert.EndsWith("\",,,,,,,,", File.ReadAllLines(Path.Combine(_dir, "results.csv"))[1], StringComparison.Ordinal);

        // Back to the first topology: served from topology/, byte for byte the first run's cells; a corrupt entry is compiled again.
        var cached = File.ReadAllText(cpuCache[0]);
        File.WriteAllText(cpuCache[0], "{");
        var again = Run("cpu");
        Assert.Equal((5, 1), (trainer.Calls, Compiles));
        Assert.Equal(cached, File.ReadAllText(cpuCache[0]));
        Assert.Equal(Json(first), Json(again));
        Assert.Equal(firstBytes, File.ReadAllText(cellFile));
    }

    private int Compiles { get; set; }

    private static string[] Json(IEnumerable<CellResult> cells) => [.. cells.Select(c => JsonSerializer.Serialize(c, StudyJson.Options))];

    [Fact]
    public void Without_a_reported_peak_the_report_sums_the_statistics_and_says_so()
    {
        const long MiB = 1 << 20;
        CellResult Cell(double ratio, long scale) => new()
        {
            Method = "l1-reload",
            Ratio = ratio,
            Seed = 0,
            AchievedRatio = ratio,
            ConvChannels = [2, 2, 4, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16],
            Accuracy = 0.5,
            Params = 100,
            Flops = 200,
            LogicalBytes = 4 * MiB * scale,
            TpuPaddedBytes = 8 * MiB * scale,
            TpuPaddedBytesMin = 6 * MiB * scale,
            TpuPaddedBytesMax = 10 * MiB * scale,
            CompiledForTopology = new TopologyCompileResult
            {
                Topology = "v5e:2x2",
                TopologyOptions = ["chips_per_host_bounds=2,2,1"],
                PlatformName = "tpu",
                PlatformVersion = "test",
                Devices = 4,
                Replicas = 4,
                Batch = 128,
                DataFormat = "nhwc",
                Memory = new TopologyMemory(2 * MiB * scale, MiB * scale, 3 * MiB * scale, MiB * scale, 0, null),
                Buffers = 10,
                LogicalBytes = 5 * MiB * scale,
                PaddedBytes = 7 * MiB * scale,
            },
        };
        var context = new ReportContext("t", Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 32), 128, null, [],
            new TopologyTarget("v5e:2x2", ["chips_per_host_bounds=2,2,1"], "tpu", "test", 4, 4));

        ReportWriter.Write(_dir, context, [Cell(0, 2), Cell(0.5, 1)]);

        var report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("- **compiled for topology v5e:2x2** (platform tpu test, 4 devices, 4 replicas (data-parallel), statistics of one device; compiled without a client)", report, StringComparison.Ordinal);
        Assert.Contains("| l1-reload | 0.00 | n/a | 4.00 / 2.00 / 6.00 / 2.00 | 10.00 | 10.00 → 14.00 | 8.00 | 16.00 [12.00–20.00] |", report, StringComparison.Ordinal);
        Assert.Contains("| l1-reload | 0.50 | n/a | 2.00 / 1.00 / 3.00 / 1.00 | 5.00 | 5.00 → 7.00 | 4.00 | 8.00 [6.00–10.00] |", report, StringComparison.Ordinal);
        Assert.Contains("| arguments + outputs + temporaries − aliased MiB (compiled for topology v5e:2x2) | padded MiB (compiled for topology v5e:2x2) |", report, StringComparison.Ordinal);
        Assert.EndsWith($",v5e:2x2,{2 * MiB},{MiB},{3 * MiB},{MiB},,{5 * MiB},{7 * MiB}", File.ReadAllLines(Path.Combine(_dir, "results.csv"))[2], StringComparison.Ordinal);
    }

    [Fact]
    public void The_replicated_train_step_compiles_for_cpu2_with_two_replicas_and_per_replica_memory()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 32);
        using var topology = s_plugin.CreateTopology("cpu:2");
        var one = Vgg16Programs.TrainStep(spec, Batch);
        var two = Vgg16Programs.TrainStep(spec, Batch / 2, new TrainStepOptions { Replicas = 2 });
        using var single = topology.CompileHlo(one.Module.ToProtoBytes());
        using var replicated = topology.CompileHlo(two.Module.ToProtoBytes(), new CompileOptions { Replicas = 2, DeviceAssignment = [.. topology.Devices.Select(d => d.Id)] });

        Assert.Equal((1, 1), (single.NumReplicas, single.NumPartitions));
        Assert.Equal((2, 1), (replicated.NumReplicas, replicated.NumPartitions));
        // The same outputs: new parameters, momenta and statistics, and the loss (a scalar).
        Assert.Equal(single.OutputElementTypes, replicated.OutputElementTypes);
        Assert.Equal(single.OutputDimensions.Select(d => string.Join('x', d)), replicated.OutputDimensions.Select(d => string.Join('x', d)));
        Assert.Empty(replicated.OutputDimensions[^1]);

        var a = single.GetCompiledMemoryStats();
        var b = replicated.GetCompiledMemoryStats();
        // Per device: the same state, outputs and aliasing; half the batch's images (f32[4,32,32,1]) and labels (s32[4]).
        Assert.Equal(a.OutputSizeInBytes, b.OutputSizeInBytes);
        Assert.Equal(a.AliasSizeInBytes, b.AliasSizeInBytes);
        Assert.Equal((Batch / 2 * 32 * 32 * 4) + (Batch / 2 * 4), a.ArgumentSizeInBytes - b.ArgumentSizeInBytes);
        // Half the activations kept for the backward pass, plus the all-reduced gradients.
        Assert.InRange(b.TempSizeInBytes, 1, a.TempSizeInBytes - 1);
        Assert.InRange(b.PeakMemoryInBytes, b.ArgumentSizeInBytes + 1, a.PeakMemoryInBytes - 1);
        // The optimized program of the replicated step sums gradients across replicas; the single one does not.
        Assert.Contains("all-reduce", Opcodes(replicated));
        Assert.DoesNotContain("all-reduce", Opcodes(single));
    }

    private static HashSet<string> Opcodes(PjrtExecutable executable)
    {
        var program = executable.GetOptimizedProgram();
        var module = ProgramBuffers.ModuleOfOptimizedProgram(program.Format, program.Code);
        return [.. module.Computations.SelectMany(c => c.Instructions).Select(i => i.Opcode)];
    }

    /// <summary>Returns the initial weights untrained: the topology numbers depend on shapes only.</summary>
    private sealed class UntrainedTrainer : IModelTrainer
    {
        public int Calls { get; private set; }

        public TrainResult Train(Vgg16Spec spec, ModelWeights initial, Torch.Data.ImageDataset train, Torch.Data.ImageDataset test, TrainOptions options,
            IProgress<TrainProgress>? progress, CancellationToken cancellationToken)
        {
            Calls++;
            return new TrainResult(initial, 0.5, 1.0, options.Epochs, TimeSpan.Zero);
        }
    }

    private sealed class CountingCompiler(PjrtTopologyCompiler inner) : ITopologyCompiler, IDisposable
    {
        public int Calls { get; private set; }

        public TopologyTarget Target => inner.Target;

        public TopologyCompileResult Compile(Vgg16Spec spec, int batch, DataFormat format)
        {
            Calls++;
            return inner.Compile(spec, batch, format);
        }

        public void Dispose() => inner.Dispose();
    }
}
