using XlaPrune.Hlo;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo.Tests;

/// <summary>The ops added through the op table: values (hand-computed), gradients, emission and shape errors.</summary>
public class ElementWiseOpTests
{
    private static double[] Eval(Func<HloBuilder, HloOp[], HloOp> f, params Value[] args)
    {
        var b = new HloBuilder("op");
        var ps = args.Select((a, i) => b.Parameter(a.Shape, $"x{i}")).ToArray();
        return Evaluator.Run(b.Build(f(b, ps)), args).Data;
    }

    private static Value F32(params double[] v) => Value.Array(Shape.F32(v.Length), v);

    private static Value Scalar(double v) => Value.Array(Shape.F32(), [v]);

    [Fact]
    public void Sqrt_values() => Assert.Equal([0.0, 1, 1.5, 4], Eval((b, x) => b.Sqrt(x[0]), F32(0, 1, 2.25, 16)));

    [Fact]
    public void Tanh_values()
    {
        // tanh 1 = (e² − 1)/(e² + 1), tanh(−2) = −(e⁴ − 1)/(e⁴ + 1).
        var r = Eval((b, x) => b.Tanh(x[0]), F32(0, 1, -2));
        Assert.Equal(0.0, r[0]);
        Assert.Equal((Math.E * Math.E - 1) / (Math.E * Math.E + 1), r[1], 15);
        Assert.Equal(-(Math.Pow(Math.E, 4) - 1) / (Math.Pow(Math.E, 4) + 1), r[2], 15);
    }

    [Fact]
    public void Floor_values() => Assert.Equal([-2.0, -2, 0, 0, 2], Eval((b, x) => b.Floor(x[0]), F32(-1.5, -2, 0.5, 0, 2.75)));

    [Fact]
    public void Abs_values_in_f32_and_s32()
    {
        Assert.Equal([3.0, 0, 2.5], Eval((b, x) => b.Abs(x[0]), F32(-3, 0, 2.5)));
        Assert.Equal([3.0, 4], Eval((b, x) => b.Abs(x[0]), Value.Array(Shape.Array(ElementType.S32, 2), [-3, 4])));
    }

    [Fact]
    public void Sign_values_keep_zero_and_nan()
    {
        var r = Eval((b, x) => b.Sign(x[0]), F32(-2, 0, 3, double.NaN));
        Assert.Equal([-1.0, 0, 1], r[..3]);
        Assert.True(double.IsNaN(r[3]));
    }

    [Fact]
    public void Power_values() =>
        Assert.Equal([8.0, 3, 0.25, 1], Eval((b, x) => b.Power(x[0], x[1]), F32(2, 9, 4, 0), F32(3, 0.5, -1, 0)));

    [Fact]
    public void Clamp_values_with_scalar_and_array_bounds()
    {
        Assert.Equal([0.0, 0.5, 2], Eval((b, x) => b.Clamp(x[0], x[1], x[2]), Scalar(0), F32(-1, 0.5, 3), Scalar(2)));
        Assert.Equal([0.0, 1, 2], Eval((b, x) => b.Clamp(x[0], x[1], x[2]), F32(0, 1, -5), F32(-1, 0.5, 3), F32(1, 2, 2)));
    }

    [Theory]
    [InlineData(UnaryOp.Floor)]
    [InlineData(UnaryOp.Sign)]
    public void Piecewise_constant_ops_have_zero_gradient(UnaryOp op)
    {
        var b = new HloBuilder("zero_grad");
        var x = b.Parameter(Shape.F32(3), "x");
        var add = b.ScalarComputation("sum", ElementType.F32, BinaryOp.Add);
        var y = b.Reduce(b.Multiply(b.Unary(op, x), x), b.Constant(0f), [0], add);
        var g = Autodiff.Gradients(b, y, [x])[0];
        // d/dx Σ f(x)·x = f(x) + 0: the gradient of f itself contributes nothing.
        var r = Evaluator.Run(b.Build(g), F32(-1.5, 0.25, 2.5)).Data;
        Assert.Equal(op == UnaryOp.Floor ? [-2.0, 0, 2] : [-1.0, 1, 1], r);
    }

    /// <summary>One module using every added op, in HLO text, StableHLO text and the proto.</summary>
    internal static HloModule AllAdded()
    {
        var b = new HloBuilder("elementwise");
        var x = b.Parameter(Shape.F32(4), "x");
        var e = b.Parameter(Shape.F32(4), "e");
        var lo = b.Parameter(Shape.F32(), "lo");
        var hi = b.Parameter(Shape.F32(), "hi");
        var t = b.Tanh(b.Sqrt(b.Abs(x)));
        var p = b.Power(b.Floor(t), e);
        return b.Build(b.Tuple(b.Clamp(lo, p, hi), b.Sign(x)));
    }

    [Fact]
    public void Added_ops_match_the_hlo_text_baseline() => Baseline.Check("elementwise.hlo", AllAdded().ToHloText());

    [Fact]
    public void Added_ops_match_the_stablehlo_baseline() => Baseline.Check("elementwise.mlir", AllAdded().ToMlirText());

    [Fact]
    public void Added_ops_appear_in_the_proto_with_their_opcodes()
    {
        var m = HloModuleProto.Parser.ParseFrom(AllAdded().ToProtoBytes());
        var entry = m.Computations.Single();
        Assert.Equal(["parameter", "parameter", "parameter", "parameter", "abs", "sqrt", "tanh", "floor", "power", "clamp", "sign", "tuple"], entry.Instructions.Select(i => i.Opcode));
        var clamp = entry.Instructions.Single(i => i.Opcode == "clamp");
        var ids = entry.Instructions.ToDictionary(i => i.Id, i => i.Name);
        Assert.Equal(["lo", "power.5", "hi"], clamp.OperandIds.Select(id => ids[id]));
    }

    [Fact]
    public void Power_of_integers_is_rejected()
    {
        var b = new HloBuilder("bad");
        var x = b.Parameter(Shape.Array(ElementType.S32, 2), "x");
        var e = Assert.Throws<ArgumentException>(() => b.Power(x, x));
        Assert.Equal("power: operand s32[2] is not floating point", e.Message);
    }

    [Fact]
    public void Tanh_of_integers_is_rejected()
    {
        var b = new HloBuilder("bad");
        var x = b.Parameter(Shape.Array(ElementType.S32, 2), "x");
        var e = Assert.Throws<ArgumentException>(() => b.Tanh(x));
        Assert.Equal("tanh: operand s32[2] is not floating point", e.Message);
    }

    [Fact]
    public void Clamp_bound_of_another_shape_is_rejected()
    {
        var b = new HloBuilder("bad");
        var x = b.Parameter(Shape.F32(3), "x");
        var lo = b.Parameter(Shape.F32(2), "lo");
        var e = Assert.Throws<ArgumentException>(() => b.Clamp(lo, x, lo));
        Assert.Equal("clamp: bounds f32[2] and f32[2] must be scalars of the element type of operand f32[3] or have its shape", e.Message);
    }

    [Fact]
    public void Every_enum_member_has_its_row_and_every_row_a_distinct_opcode()
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            Assert.Equal((op.ToString().ToUpperInvariant(), 1, true), (OpTable.Of(op).Opcode.ToUpperInvariant(), OpTable.Of(op).Arity, OpTable.Of(op).ElementWise));
        }

        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            Assert.Equal((op.ToString().ToUpperInvariant(), 2, true), (OpTable.Of(op).Opcode.ToUpperInvariant(), OpTable.Of(op).Arity, OpTable.Of(op).ElementWise));
        }

        Assert.Equal(OpTable.All.Count, OpTable.All.Select(o => o.Opcode).Distinct().Count());
        Assert.Equal(("clamp", 3), (OpTable.Of("clamp").StableHlo, OpTable.Of("clamp").Arity));
        Assert.Equal("broadcast_in_dim", OpTable.Of("broadcast").StableHlo);
        var e = Assert.Throws<ArgumentException>(() => OpTable.Of("cosine"));
        Assert.StartsWith("op table: unknown opcode cosine", e.Message, StringComparison.Ordinal);
    }
}
