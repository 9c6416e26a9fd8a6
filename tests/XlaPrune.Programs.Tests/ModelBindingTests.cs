using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Programs.Tests;

/// <summary>Typed roles of program arguments and results, and the one helper that binds model state to them.</summary>
public class ModelBindingTests
{
    private static readonly Vgg16Spec s_tiny = Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16);
    private static readonly Vgg16Spec s_dropout = Vgg16Spec.ImageNet(classes: 5, width: 1.0 / 16, imageSize: 32, classifierHidden: 8);

    [Fact]
    public void Train_step_arguments_and_results_carry_their_roles_and_tensors()
    {
        var program = Vgg16Programs.TrainStep(s_dropout, 2);
        var (p, s) = (s_dropout.Parameters.Count, s_dropout.BatchNormStats.Count);
        ProgramRole[] expected =
        [
            .. Enumerable.Repeat(ProgramRole.Parameter, p), .. Enumerable.Repeat(ProgramRole.Momentum, p),
            .. Enumerable.Repeat(ProgramRole.BatchNormStatistic, s), ProgramRole.RngState, ProgramRole.Images, ProgramRole.Labels, ProgramRole.LearningRate,
        ];
        Assert.Equal(expected, program.Arguments.Select(a => a.Role));
        Assert.Equal([.. expected.Take((2 * p) + s + 1), ProgramRole.Loss], program.Results.Select(r => r.Role));
        Assert.Equal(s_dropout.Parameters.Select(t => t.Name), program.Arguments.Skip(p).Take(p).Select(a => a.Tensor));
        Assert.Equal(("momentum.conv1.weight", "conv1.weight"), (program.Arguments[p].Name, program.Arguments[p].Tensor));
        Assert.Equal(s_dropout.BatchNormStats.Select(t => t.Name), program.Arguments.Skip(2 * p).Take(s).Select(a => a.Tensor));
        Assert.All(program.Arguments.Skip((2 * p) + s), a => Assert.Null(a.Tensor));
        Assert.Equal(program.Arguments.Take((2 * p) + s + 1), program.Results.Take((2 * p) + s + 1));
    }

    [Fact]
    public void Eval_step_has_parameters_statistics_images_and_logits()
    {
        var program = Vgg16Programs.EvalStep(s_tiny, 2);
        var (p, s) = (s_tiny.Parameters.Count, s_tiny.BatchNormStats.Count);
        Assert.Equal([.. Enumerable.Repeat(ProgramRole.Parameter, p), .. Enumerable.Repeat(ProgramRole.BatchNormStatistic, s), ProgramRole.Images], program.Arguments.Select(a => a.Role));
        var logits = Assert.Single(program.Results);
        Assert.Equal((ProgramRole.Logits, "f32[2,3]"), (logits.Role, logits.Shape.ToText(false)));
    }

    [Fact]
    public void Binding_takes_weights_momenta_and_seed_and_reads_them_back()
    {
        var program = Vgg16Programs.TrainStep(s_dropout, 2);
        var binding = new ModelBinding(program);
        var weights = ModelWeights.Initialize(s_dropout, 4);
        var momenta = new ModelWeights(s_dropout.Parameters.Select((t, k) =>
            KeyValuePair.Create(t.Name, new WeightTensor(t.Shape, [.. Enumerable.Range(0, (int)t.ElementCount).Select(i => (float)(k + (0.001 * i)))]))));
        var bound = binding.BindState<object>(weights, momenta, 77, (_, d) => d, (_, d) => d);

        var (p, s) = (s_dropout.Parameters.Count, s_dropout.BatchNormStats.Count);
        Assert.Equal((2 * p) + s + 1, bound.Count);
        // NHWC program: kernels and their momenta are bound in HWIO, transposed from the weights' OIHW. conv1.weight is
        // OIHW [4, 3, 3, 3]; HWIO element (kh 0, kw 1, i 2, o 3) is OIHW element (o 3, i 2, kh 0, kw 1).
        Assert.Equal("f32[3,3,3,4]", program.Arguments[0].Shape.ToText(false));
        Assert.Equal(weights["conv1.weight"].Data[(((((3 * 3) + 2) * 3) + 0) * 3) + 1], ((float[])bound[0])[(((((0 * 3) + 1) * 3) + 2) * 4) + 3]);
        Assert.Equal(program.Arguments[p + 3].FromTorch(momenta["conv2.weight"].Data), (float[])bound[p + 3]);
        Assert.Same(weights["bn1.weight"].Data, bound[1]); // not a kernel: the weights' own array
        Assert.Same(weights["bn1.running_var"].Data, bound[(2 * p) + 1]);
        Assert.Equal([77UL, 0UL], (ulong[])bound[^1]);

        var asked = new List<int>();
        var (w, m) = binding.ReadState(i =>
        {
            asked.Add(i);
            return (float[])bound[i];
        });
        Assert.DoesNotContain((2 * p) + s, asked);
        Assert.Equal(s_dropout.Parameters.Concat(s_dropout.BatchNormStats).Select(t => t.Name), w.Names);
        Assert.All(w.Names, n => Assert.Equal(weights[n].Data, w[n].Data));
        Assert.Equal(weights["conv1.weight"].Shape, w["conv1.weight"].Shape);
        Assert.All(m.Names, n => Assert.Equal(momenta[n].Data, m[n].Data));
        Assert.Equal(p, m.Names.Count());
    }

    [Fact]
    public void Without_momenta_the_momentum_arguments_are_zeros()
    {
        var program = Vgg16Programs.TrainStep(s_tiny, 2);
        var bound = new ModelBinding(program).BindState<float[]>(ModelWeights.Initialize(s_tiny, 1), null, 0, (_, d) => d, (_, _) => throw new InvalidOperationException("no rng state"));
        var p = s_tiny.Parameters.Count;
        Assert.Equal(new float[s_tiny.Parameters[5].ElementCount], bound[p + 5]);
    }

    [Fact]
    public void Index_of_a_batch_input_follows_the_state_and_a_missing_role_is_named()
    {
        var train = new ModelBinding(Vgg16Programs.TrainStep(s_tiny, 2));
        var state = train.State.Count;
        Assert.Equal((2 * s_tiny.Parameters.Count) + s_tiny.BatchNormStats.Count, state);
        Assert.Equal((state, state + 1, state + 2), (train.IndexOf(ProgramRole.Images), train.IndexOf(ProgramRole.Labels), train.IndexOf(ProgramRole.LearningRate)));
        var eval = new ModelBinding(Vgg16Programs.EvalStep(s_tiny, 2));
        var e = Assert.Throws<ArgumentException>(() => eval.IndexOf(ProgramRole.Labels));
        Assert.StartsWith("program vgg16_eval_step has 0 Labels arguments, not one", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_after_a_batch_input_is_rejected()
    {
        var good = Vgg16Programs.EvalStep(s_tiny, 2);
        var bad = good with { Arguments = [.. good.Arguments.Reverse()] };
        var e = Assert.Throws<ArgumentException>(() => new ModelBinding(bad));
        Assert.StartsWith($"program vgg16_eval_step: state argument {good.Arguments[^2].Name} follows a batch input", e.Message, StringComparison.Ordinal);
    }
}
