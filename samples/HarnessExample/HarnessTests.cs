using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using Xunit;

namespace HarnessExample;

/// <summary>Builds HLO programs, compiles them on the packaged CPU plugin, runs them and checks the results.</summary>
public sealed class HarnessTests
{
    private static readonly PjrtPlugin s_plugin = PjrtPlugin.Load("cpu");

    [Fact]
    public void The_cpu_plugin_is_the_one_the_package_brought()
    {
        var packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libxlaprune_pjrt_cpu.so");
        Assert.Equal(packaged, s_plugin.Path);
    }

    [Fact]
    public void A_small_program_computes_x_plus_x_squared()
    {
        var b = new HloBuilder("x_plus_x_squared");
        var x = b.Parameter(Shape.F32(4), "x");
        var module = b.Build(b.Add(x, b.Multiply(x, x)));

        using var client = s_plugin.CreateClient();
        using var executable = client.CompileHlo(module.ToProtoBytes());
        using var input = client.BufferFromHost<float>([1f, 2f, -3f, 0.5f], [4]);
        var outputs = executable.Execute([input]);
        try
        {
            Assert.Equal([2f, 6f, 6f, 0.75f], outputs[0].ToArray<float>());
        }
        finally
        {
            Array.ForEach(outputs, o => o.Dispose());
        }
    }

    [Fact]
    public void The_vgg16_train_step_runs_and_its_first_loss_is_near_log_classes()
    {
        const int batch = 4;
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 16);
        var program = Vgg16Programs.TrainStep(spec, batch);
        var weights = ModelWeights.Initialize(spec, seed: 1);
        var random = new Random(2);

        using var client = s_plugin.CreateClient();
        using var executable = client.CompileHlo(program.Module.ToProtoBytes());
        var arguments = new List<PjrtBuffer>();
        try
        {
            foreach (var a in program.Arguments)
            {
                var dims = a.Shape.Dimensions.ToArray();
                var count = (int)a.Shape.ElementCount;
                arguments.Add(a.Name switch
                {
                    "labels" => client.BufferFromHost<int>([.. Enumerable.Range(0, batch).Select(i => i % spec.Classes)], dims),
                    "lr" => client.BufferFromHost<float>([0.01f], dims),
                    "images" => client.BufferFromHost<float>([.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())], dims),
                    _ when a.Name.StartsWith("momentum.", StringComparison.Ordinal) => client.BufferFromHost<float>(new float[count], dims),
                    _ => client.BufferFromHost<float>(a.FromTorch(weights[a.Name].Data), dims), // HWIO kernels in the default NHWC program
                });
            }

            var outputs = executable.Execute(arguments);
            try
            {
                var loss = outputs[program.Results.Select((r, i) => (r, i)).First(p => p.r.Name == "loss").i].ToArray<float>()[0];
                // Linear weights start near zero (std 0.01), so the logits are nearly equal and the
                // cross-entropy of 10 classes is close to ln 10.
                Assert.InRange(loss, Math.Log(10) - 0.1, Math.Log(10) + 0.1);
                Assert.Equal(program.Results.Count, outputs.Length);
            }
            finally
            {
                Array.ForEach(outputs, o => o.Dispose());
            }
        }
        finally
        {
            arguments.ForEach(a => a.Dispose());
        }
    }
}
