using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Pjrt;

namespace XlaPrune.Programs.Tests;

/// <summary>The VGG-16 train step compiled for a topology without a client, serialized, loaded and run.</summary>
public sealed class TopologyTrainStepTests : IDisposable
{
    private readonly PjrtPlugin _plugin = PjrtPlugin.Load("cpu");

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public void Train_step_compiled_for_a_topology_runs_bit_exactly_like_a_direct_compile()
    {
        const int batch = 2;
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16);
        var program = Vgg16Programs.TrainStep(spec, batch);
        var module = program.Module.ToProtoBytes();
        byte[] serialized;
        using (var topology = _plugin.CreateTopology("cpu"))
        using (var compiled = topology.CompileHlo(module))
        {
            var stats = compiled.GetCompiledMemoryStats();
            // Every argument is f32 or s32 (4 bytes): the arguments' bytes are 4 x their elements.
            Assert.Equal(4 * program.Arguments.Sum(a => a.Shape.ElementCount), stats.ArgumentSizeInBytes);
            Assert.True(stats.TempSizeInBytes > 0);
            Assert.True((float)compiled.GetCostAnalysis()["flops"] > 0);
            Assert.Equal(program.Results.Count, compiled.NumOutputs);
            serialized = compiled.Serialize();
        }

        var weights = ModelWeights.Initialize(spec, 3);
        var rng = new Random(11);
        using var client = _plugin.CreateClient();
        using var loaded = client.DeserializeAndLoad(serialized);
        using var direct = client.CompileHlo(module);
        var buffers = new List<PjrtBuffer>();
        try
        {
            foreach (var a in program.Arguments)
            {
                var dims = a.Shape.Dimensions.ToArray();
                var n = (int)a.Shape.ElementCount;
                buffers.Add(a.Name switch
                {
                    "labels" => client.BufferFromHost<int>([2, 0], dims),
                    "lr" => client.BufferFromHost<float>([0.05f], dims),
                    _ when weights.Contains(a.Name) => client.BufferFromHost<float>(weights[a.Name].Data, dims),
                    _ => client.BufferFromHost<float>([.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5))], dims),
                });
            }

            var fromTopology = Run(loaded, buffers);
            var fromClient = Run(direct, buffers);
            Assert.Equal(fromClient.Count, fromTopology.Count);
            for (var i = 0; i < fromClient.Count; i++)
            {
                Assert.Equal(fromClient[i].Select(BitConverter.SingleToInt32Bits), fromTopology[i].Select(BitConverter.SingleToInt32Bits));
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

    private static List<float[]> Run(PjrtLoadedExecutable executable, List<PjrtBuffer> arguments)
    {
        var outputs = executable.Execute(arguments, ExecuteOptions.NoDonation(arguments.Count));
        try
        {
            return [.. outputs.Select(o => o.ToArray<float>())];
        }
        finally
        {
            foreach (var o in outputs)
            {
                o.Dispose();
            }
        }
    }
}
