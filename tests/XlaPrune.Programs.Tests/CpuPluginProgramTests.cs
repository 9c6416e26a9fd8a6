using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using Evaluator = XlaPrune.Hlo.Tests.Evaluator;
using Value = XlaPrune.Hlo.Tests.Value;

namespace XlaPrune.Programs.Tests;

/// <summary>The train step compiled and run by our CPU plugin agrees with the reference evaluator.</summary>
public sealed class CpuPluginProgramTests : IDisposable
{
    private readonly PjrtPlugin _plugin = PjrtPlugin.Load("cpu");

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public void Small_train_step_on_the_cpu_plugin_matches_the_evaluator()
    {
        const int batch = 2;
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16);
        var options = new TrainStepOptions(WeightDecay: 5e-4, SlimmingLambda: 1e-3);
        var program = Vgg16Programs.TrainStep(spec, batch, options);
        var weights = ModelWeights.Initialize(spec, 21);
        var rng = new Random(5);
        var values = new List<float[]>();
        foreach (var a in program.Arguments)
        {
            var n = (int)a.Shape.ElementCount;
            values.Add(a.Role switch
            {
                ProgramRole.Labels => [2, 0],
                ProgramRole.LearningRate => [0.05f],
                ProgramRole.Images => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))],
                ProgramRole.Momentum => [.. Enumerable.Range(0, n).Select(_ => (float)(0.01 * (rng.NextDouble() - 0.5)))],
                _ => weights[a.Tensor!].Data,
            });
        }

        var expected = Evaluator.Run(program.Module, [.. program.Arguments.Select((a, i) => Value.Array(a.Shape, values[i].Select(v => (double)v)))]).Elements!;

        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(program.Module.ToProtoBytes());
        var buffers = new List<PjrtBuffer>();
        try
        {
            for (var i = 0; i < program.Arguments.Count; i++)
            {
                var dims = program.Arguments[i].Shape.Dimensions.ToArray();
                buffers.Add(program.Arguments[i].Shape.ElementType == ElementType.S32
                    ? client.BufferFromHost<int>([.. values[i].Select(v => (int)v)], dims)
                    : client.BufferFromHost<float>(values[i], dims));
            }

            var outputs = executable.Execute(buffers, ExecuteOptions.NoDonation(buffers.Count));
            try
            {
                Assert.Equal(program.Results.Count, outputs.Length);
                for (var i = 0; i < outputs.Length; i++)
                {
                    var actual = outputs[i].ToArray<float>();
                    var want = expected[i].Data;
                    var scale = Math.Max(1e-3, want.Max(Math.Abs));
                    for (var k = 0; k < want.Length; k++)
                    {
                        Assert.True(Math.Abs(want[k] - actual[k]) <= 1e-4 * scale, $"{program.Results[i].Name}[{k}]: evaluator {want[k]}, plugin {actual[k]}");
                    }
                }
            }
            finally
            {
                foreach (var o in outputs)
                {
                    o.Dispose();
                }
            }
        }
        finally
        {
            foreach (var b in buffers)
            {
                b.Dispose();
            }
        }
    }
}
