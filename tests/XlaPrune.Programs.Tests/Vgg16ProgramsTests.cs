using XlaPrune.Hlo;
using XlaPrune.Hlo.Proto;
using XlaPrune.Hlo.Tests;
using XlaPrune.Models;
using XlaPrune.Programs;
using XlaPrune.Torch;
using Evaluator = XlaPrune.Hlo.Tests.Evaluator;
using static TorchSharp.torch;

namespace XlaPrune.Programs.Tests;

public class Vgg16ProgramsTests
{
    private static readonly Vgg16Spec s_tiny = Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16);

    [Fact]
    public void Train_step_arguments_results_and_aliases_follow_the_documented_order()
    {
        var program = Vgg16Programs.TrainStep(s_tiny, 2, format: DataFormat.Nchw);
        var p = s_tiny.Parameters.Count;
        var s = s_tiny.BatchNormStats.Count;
        Assert.Equal(41, p);
        Assert.Equal(26, s);
        Assert.Equal((2 * p) + s + 3, program.Arguments.Count);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight"], program.Arguments.Take(4).Select(a => a.Name));
        Assert.Equal("momentum.conv1.weight", program.Arguments[p].Name);
        Assert.Equal("bn1.running_mean", program.Arguments[2 * p].Name);
        Assert.Equal(["images", "labels", "lr"], program.Arguments.TakeLast(3).Select(a => a.Name));
        Assert.Equal("f32[2,1,32,32]", program.Arguments[^3].Shape.ToText(false));
        Assert.Equal("s32[2]", program.Arguments[^2].Shape.ToText(false));
        Assert.Equal("f32[]", program.Arguments[^1].Shape.ToText(false));
        Assert.Equal((2 * p) + s + 1, program.Results.Count);
        Assert.Equal("loss", program.Results[^1].Name);
        Assert.Equal([ProgramRole.Images, ProgramRole.Labels, ProgramRole.LearningRate], program.Arguments.TakeLast(3).Select(a => a.Role));

        var proto = HloModuleProto.Parser.ParseFrom(program.Module.ToProtoBytes());
        Assert.Equal(program.Arguments.Count, proto.HostProgramShape.Parameters.Count);
        Assert.Equal((2 * p) + s, proto.InputOutputAlias.Entries.Count);
        Assert.All(proto.InputOutputAlias.Entries.Select((e, i) => (e, i)), x =>
        {
            Assert.Equal([(long)x.i], x.e.OutputShapeIndex);
            Assert.Equal(x.i, x.e.ParameterNumber);
        });
        for (var i = 0; i < program.Arguments.Count; i++)
        {
            Assert.Equal(program.Arguments[i].Name, proto.HostProgramShape.ParameterNames[i]);
        }
    }

    [Fact]
    public void Imagenet_dropout_adds_an_rng_state_argument_and_result()
    {
        var spec = Vgg16Spec.ImageNet(classes: 5, width: 1.0 / 16, imageSize: 32, classifierHidden: 8);
        var program = Vgg16Programs.TrainStep(spec, 2);
        var rng = program.Arguments[(2 * spec.Parameters.Count) + spec.BatchNormStats.Count];
        Assert.Equal("rng_state", rng.Name);
        Assert.Equal("u64[2]", rng.Shape.ToText(false));
        Assert.Equal("rng_state", program.Results[^2].Name);
        Assert.Equal(2, program.Module.ToHloText().Split("rng-bit-generator(").Length - 1);
        var noDropout = Vgg16Programs.TrainStep(spec, 2, new TrainStepOptions(Dropout: false));
        Assert.DoesNotContain(noDropout.Arguments, a => a.Name == "rng_state");
    }

    [Fact]
    public void Full_width_cifar_train_step_batch_128_builds_and_serializes()
    {
        var spec = Vgg16Spec.Cifar();
        var program = Vgg16Programs.TrainStep(spec, 128, new TrainStepOptions(WeightDecay: 5e-4, SlimmingLambda: 1e-4));
        var proto = HloModuleProto.Parser.ParseFrom(program.Module.ToProtoBytes());
        var entry = proto.Computations.Single(c => c.Id == proto.EntryComputationId);
        // Forward, kernel gradients, and input gradients of all but conv1 (images are not differentiated).
        Assert.Equal(13 + 13 + 12, entry.Instructions.Count(i => i.Opcode == "convolution"));
        Assert.Equal(5, entry.Instructions.Count(i => i.Opcode == "select-and-scatter"));
        // NHWC by default: images [N, H, W, C] and kernels [kh, kw, I, O] (HWIO), transposed from PyTorch's order.
        Assert.Equal("f32[128,32,32,3]", program.Arguments[^3].Shape.ToText(false));
        Assert.Equal([0, 2, 3, 1], program.Arguments[^3].TorchPermutation);
        Assert.Equal("f32[3,3,3,64]", program.Arguments[0].Shape.ToText(false));
        Assert.Equal([128L, 3, 32, 32], program.Arguments[^3].TorchDimensions);
        Assert.Equal("f32[3,3,64,64]", program.Results[spec.Parameters.Count + 3].Shape.ToText(false));
        Assert.Equal("momentum.conv2.weight", program.Results[spec.Parameters.Count + 3].Name);
        Assert.Equal([2, 3, 1, 0], program.Results[spec.Parameters.Count + 3].TorchPermutation);
        Assert.Null(program.Results[^1].TorchPermutation);
        Assert.Contains("dim_labels=b01f_01io->b01f", program.Module.ToHloText(), StringComparison.Ordinal);
        Assert.Equal(spec.Parameters.Sum(t => t.ElementCount), program.Arguments.Take(spec.Parameters.Count).Sum(a => a.Shape.ElementCount));
    }

    private static ModelWeights Weights(Vgg16Spec spec, int seed)
    {
        var w = ModelWeights.Initialize(spec, seed);
        var r = new Random(seed + 7);
        foreach (var t in spec.Parameters.Concat(spec.BatchNormStats))
        {
            var data = w[t.Name].Data;
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = t.Role switch
                {
                    TensorRole.BatchNormScale => (float)(0.8 + (0.4 * r.NextDouble())),
                    TensorRole.BatchNormBias or TensorRole.BatchNormRunningMean or TensorRole.LinearBias => (float)(0.2 * (r.NextDouble() - 0.5)),
                    TensorRole.BatchNormRunningVar => (float)(0.5 + r.NextDouble()),
                    TensorRole.LinearWeight => (float)(0.3 * (r.NextDouble() - 0.5)),
                    _ => data[i],
                };
            }
        }

        return w;
    }

    private static void Close(float[] expected, double[] actual, string what, double tol = 2e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1e-3, expected.Max(v => Math.Abs((double)v)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * scale, $"{what}[{i}]: TorchSharp {expected[i]}, HLO {actual[i]}");
        }
    }

    [Theory]
    [InlineData(DataFormat.Nhwc)]
    [InlineData(DataFormat.Nchw)]
    public void Train_step_matches_torchsharp_reference_step(DataFormat format)
    {
        const int batch = 4;
        var weights = Weights(s_tiny, 3);
        var rng = new Random(11);
        var images = Enumerable.Range(0, batch * 32 * 32).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int[] labels = [0, 2, 1, 2];
        var sgd = new SgdOptions(Momentum: 0.9, WeightDecay: 5e-4, SlimmingLambda: 1e-3);
        var reference = ReferenceStep.Run(s_tiny, weights, null, images, labels, 0.1, sgd);

        var program = Vgg16Programs.TrainStep(s_tiny, batch, new TrainStepOptions(Momentum: 0.9, WeightDecay: 5e-4, SlimmingLambda: 1e-3), format);
        var args = program.Arguments.Select(a => a.Name switch
        {
            "images" => Value.Array(a.Shape, a.FromTorch(images).Select(v => (double)v)),
            "labels" => Value.Array(a.Shape, labels.Select(v => (double)v)),
            "lr" => Value.Of(0.1f),
            _ when a.Name.StartsWith("momentum.", StringComparison.Ordinal) => Value.Array(a.Shape, new double[a.Shape.ElementCount]),
            _ => Value.Array(a.Shape, a.FromTorch(weights[a.Name].Data).Select(v => (double)v)),
        }).ToList();
        var result = Evaluator.Run(program.Module, [.. args]).Elements!
            .Select((r, i) => r with { Data = [.. program.Results[i].ToTorch([.. r.Data.Select(v => (float)v)]).Select(v => (double)v)] }).ToArray();

        Assert.Equal(reference.Loss, result[^1].Data[0], 4);
        var p = s_tiny.Parameters.Count;
        for (var i = 0; i < p; i++)
        {
            var name = s_tiny.Parameters[i].Name;
            Close(reference.Momenta[name].Data, result[p + i].Data, "momentum." + name);
            Close(reference.Weights[name].Data, result[i].Data, name, 1e-5);
        }

        for (var i = 0; i < s_tiny.BatchNormStats.Count; i++)
        {
            var name = s_tiny.BatchNormStats[i].Name;
            Close(reference.Weights[name].Data, result[(2 * p) + i].Data, name, 1e-5);
        }
    }

    [Theory]
    [InlineData(DataFormat.Nhwc)]
    [InlineData(DataFormat.Nchw)]
    public void Eval_step_matches_torchsharp_eval_forward(DataFormat format)
    {
        const int batch = 2;
        var weights = Weights(s_tiny, 5);
        var rng = new Random(13);
        var images = Enumerable.Range(0, batch * 32 * 32).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] expected;
        using (var module = new Vgg16Module(s_tiny))
        {
            module.LoadWeights(weights);
            module.eval();
            using var scope = NewDisposeScope();
            expected = module.forward(tensor(images, [batch, 1, 32, 32])).data<float>().ToArray();
        }

        var program = Vgg16Programs.EvalStep(s_tiny, batch, format);
        var args = program.Arguments.Select(a => Value.Array(a.Shape, a.FromTorch(a.Name == "images" ? images : weights[a.Name].Data).Select(v => (double)v))).ToList();
        var logits = Evaluator.Run(program.Module, [.. args]).Elements![0];
        Assert.Equal("f32[2,3]", logits.Shape.ToText(false));
        Close(expected, logits.Data, "logits");
    }
}
