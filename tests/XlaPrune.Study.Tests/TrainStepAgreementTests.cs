using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Torch;

namespace XlaPrune.Study.Tests;

public class TrainStepAgreementTests
{
    [Theory]
    [InlineData(DataFormat.Nhwc)]
    [InlineData(DataFormat.Nchw)]
    public void Hlo_train_step_on_the_cpu_plugin_equals_one_torchsharp_step(DataFormat format)
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 3, classes: 10, width: 0.25);
        const int batch = 8;
        var weights = ModelWeights.Initialize(spec, 11);
        var random = new Random(5);
        foreach (var bn in spec.Convs.Select(c => c.BatchNormName))
        {
            foreach (var (suffix, lo, hi) in new[] { ("weight", 0.5, 1.5), ("bias", -0.2, 0.2), ("running_mean", -0.1, 0.1), ("running_var", 0.8, 1.2) })
            {
                var d = weights[$"{bn}.{suffix}"].Data;
                for (var i = 0; i < d.Length; i++)
                {
                    d[i] = (float)(lo + ((hi - lo) * random.NextDouble()));
                }
            }
        }

        var images = Enumerable.Range(0, batch * 3 * 32 * 32).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        int[] labels = [.. Enumerable.Range(0, batch).Select(i => (i * 7) % 10)];
        const float lr = 0.1f;
        var sgd = new SgdOptions(Momentum: 0.9, WeightDecay: 5e-4, SlimmingLambda: 1e-4);
        var reference = ReferenceStep.Run(spec, weights, null, images, labels, lr, sgd);

        var program = Vgg16Programs.TrainStep(spec, batch, new TrainStepOptions(0.9, 5e-4, 1e-4), format);
        using var client = PjrtPlugin.Load("cpu").CreateClient();
        using var executable = client.CompileHlo(program.Module.ToProtoBytes());
        var binding = new ModelBinding(program);
        var args = binding.BindState(weights, null, 0, (a, d) => client.BufferFromHost<float>(d, [.. a.Shape.Dimensions]), (a, d) => client.BufferFromHost<ulong>(d, [.. a.Shape.Dimensions])).ToList();
        var imageArg = program.Arguments[binding.IndexOf(ProgramRole.Images)];
        args.Insert(binding.IndexOf(ProgramRole.Images), client.BufferFromHost<float>(imageArg.FromTorch(images), [.. imageArg.Shape.Dimensions]));
        args.Insert(binding.IndexOf(ProgramRole.Labels), client.BufferFromHost<int>(labels, [batch]));
        args.Insert(binding.IndexOf(ProgramRole.LearningRate), client.BufferFromHost<float>([lr], []));
        var outputs = executable.Execute(args);
        var (newWeights, newMomenta) = binding.ReadState(i => outputs[i].ToArray<float>());
        var loss = outputs[binding.State.Count].ToArray<float>();
        Assert.Equal(ProgramRole.Loss, program.Results[binding.State.Count].Role);
        foreach (var b in args.Concat(outputs))
        {
            b.Dispose();
        }

        AssertClose("loss", [(float)reference.Loss], loss);
        foreach (var p in spec.Parameters)
        {
            // With zero momenta, the new momentum is the gradient plus the decay and sparsity terms.
            AssertClose("momentum." + p.Name, reference.Momenta[p.Name].Data, newMomenta[p.Name].Data);
            AssertClose(p.Name, reference.Weights[p.Name].Data, newWeights[p.Name].Data);
        }

        foreach (var s in spec.BatchNormStats)
        {
            AssertClose(s.Name, reference.Weights[s.Name].Data, newWeights[s.Name].Data);
        }
    }

    // Within 1e-4 relative, with an absolute floor of 1e-5 for values near zero.
    private static void AssertClose(string name, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = Math.Max(1e-5, 1e-4 * Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{name}[{i}]: TorchSharp {expected[i]}, HLO {actual[i]}");
        }
    }
}
