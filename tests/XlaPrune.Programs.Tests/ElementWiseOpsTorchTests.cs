using XlaPrune.Hlo;
using Evaluator = XlaPrune.Hlo.Tests.Evaluator;
using Value = XlaPrune.Hlo.Tests.Value;
using static TorchSharp.torch;

namespace XlaPrune.Programs.Tests;

/// <summary>The op table's element functions (through the evaluator) against TorchSharp's torch.sqrt, tanh, floor, abs, sign, pow and clamp.</summary>
public class ElementWiseOpsTorchTests
{
    private static float[] Data(int seed, double lo, double hi, int n = 24)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(lo + ((hi - lo) * r.NextDouble())))];
    }

    private static void Agree(Func<HloBuilder, HloOp[], HloOp> hlo, Func<Tensor[], Tensor> torchOp, params float[][] inputs)
    {
        var b = new HloBuilder("torch_agreement");
        var shapes = inputs.Select(d => d.Length == 1 ? Shape.F32() : Shape.F32(d.Length)).ToArray();
        var ps = shapes.Select((s, i) => b.Parameter(s, $"x{i}")).ToArray();
        var actual = Evaluator.Run(b.Build(hlo(b, ps)), [.. inputs.Select((d, i) => Value.Array(shapes[i], d.Select(v => (double)v)))]).Data;
        using var scope = NewDisposeScope();
        var expected = torchOp([.. inputs.Select(d => d.Length == 1 ? tensor(d[0]) : tensor(d))]).data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            // The evaluator works in double; torch in float.
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: torch {expected[i]}, evaluator {actual[i]}");
        }
    }

    [Fact]
    public void Sqrt_agrees() => Agree((b, x) => b.Sqrt(x[0]), t => sqrt(t[0]), Data(1, 0, 9));

    [Fact]
    public void Tanh_agrees() => Agree((b, x) => b.Tanh(x[0]), t => tanh(t[0]), Data(2, -4, 4));

    [Fact]
    public void Floor_agrees() => Agree((b, x) => b.Floor(x[0]), t => floor(t[0]), [.. Data(3, -4, 4), -2f, 0f, 3f]);

    [Fact]
    public void Abs_agrees() => Agree((b, x) => b.Abs(x[0]), t => abs(t[0]), Data(4, -4, 4));

    [Fact]
    public void Sign_agrees() => Agree((b, x) => b.Sign(x[0]), t => sign(t[0]), [.. Data(5, -4, 4), 0f]);

    [Fact]
    public void Pow_agrees() => Agree((b, x) => b.Power(x[0], x[1]), t => pow(t[0], t[1]), Data(6, 0.1, 4), Data(7, -3, 3));

    [Fact]
    public void Clamp_with_array_bounds_agrees() =>
        Agree((b, x) => b.Clamp(x[0], x[1], x[2]), t => clamp(t[1], t[0], t[2]), Data(8, -2, -0.5), Data(9, -3, 3), Data(10, 0.5, 2));

    [Fact]
    public void Clamp_with_scalar_bounds_agrees() =>
        Agree((b, x) => b.Clamp(x[0], x[1], x[2]), t => clamp(t[1], t[0], t[2]), [-0.75f], Data(11, -3, 3), [1.25f]);
}
