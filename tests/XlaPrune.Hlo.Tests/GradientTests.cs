using XlaPrune.Hlo;

namespace XlaPrune.Hlo.Tests;

/// <summary>Every VJP against central finite differences through the reference evaluator (double precision).</summary>
public class GradientTests
{
    private static double[] Random(long count, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, (int)count).Select(_ => (double)(float)(lo + ((hi - lo) * rng.NextDouble())))];
    }

    /// <summary>Checks d/dx sum(f(x...) · R) for every element of every input.</summary>
    private static void Check(Shape[] inputs, Func<HloBuilder, HloOp[], HloOp> f, double lo = -1, double hi = 1, int seed = 1)
    {
        var b = new HloBuilder("grad_check");
        var ps = inputs.Select((s, i) => b.Parameter(s, $"x{i}")).ToArray();
        var y = f(b, ps);
        var weights = b.Constant(y.Shape, [.. Random(y.Shape.ElementCount, seed + 100).Select(v => (float)v)]);
        var add = b.ScalarComputation("add", ElementType.F32, BinaryOp.Add);
        var loss = b.Reduce(b.Multiply(y, weights), b.Constant(0f), [.. Enumerable.Range(0, y.Shape.Rank).Select(d => (long)d)], add);
        var grads = Autodiff.Gradients(b, loss, ps);
        var module = b.Build(b.Tuple([loss, .. grads]));
        var args = inputs.Select((s, i) => Value.Array(s, Random(s.ElementCount, seed + i, lo, hi))).ToArray();
        var result = Evaluator.Run(module, args);
        const double eps = 1e-6;
        for (var a = 0; a < args.Length; a++)
        {
            var analytic = result.Elements![a + 1].Data;
            Assert.Equal(args[a].Data.Length, analytic.Length);
            for (var i = 0; i < args[a].Data.Length; i++)
            {
                var saved = args[a].Data[i];
                args[a].Data[i] = saved + eps;
                var up = Evaluator.Run(module, args).Elements![0].Data[0];
                args[a].Data[i] = saved - eps;
                var down = Evaluator.Run(module, args).Elements![0].Data[0];
                args[a].Data[i] = saved;
                var numeric = (up - down) / (2 * eps);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + (1e-5 * Math.Abs(numeric)),
                    $"input {a} element {i}: finite difference {numeric}, autodiff {analytic[i]}");
            }
        }
    }

    private static readonly Shape s_23 = Shape.F32(2, 3);

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Subtract)]
    [InlineData(BinaryOp.Multiply)]
    [InlineData(BinaryOp.Divide)]
    [InlineData(BinaryOp.Maximum)]
    [InlineData(BinaryOp.Minimum)]
    public void Binary_ops_match_finite_differences(BinaryOp op) =>
        Check([s_23, s_23], (b, x) => b.Binary(op, x[0], op == BinaryOp.Divide ? b.Add(x[1], b.BroadcastScalar(b.Constant(3f), [2, 3])) : x[1]));

    [Theory]
    [InlineData(UnaryOp.Negate, -1, 1)]
    [InlineData(UnaryOp.Abs, -1, 1)]
    [InlineData(UnaryOp.Exponential, -1, 1)]
    [InlineData(UnaryOp.Log, 0.5, 2)]
    [InlineData(UnaryOp.Sqrt, 0.5, 2)]
    [InlineData(UnaryOp.Rsqrt, 0.5, 2)]
    [InlineData(UnaryOp.Tanh, -2, 2)]
    public void Unary_ops_match_finite_differences(UnaryOp op, double lo, double hi) =>
        Check([s_23], (b, x) => b.Unary(op, x[0]), lo, hi);

    [Fact]
    public void Power_matches_finite_differences_in_base_and_exponent() =>
        Check([s_23, s_23], (b, x) => b.Power(x[0], x[1]), 0.5, 2);

    // Bounds kept apart (min in [-1, -0.4], max in [0.4, 1]) so that min < max; x in [-1, 1] hits all three regions.
    [Fact]
    public void Clamp_with_array_bounds_matches_finite_differences() =>
        Check([s_23, s_23, s_23], (b, x) => b.Clamp(Affine(b, x[0], -0.7f), x[1], Affine(b, x[2], 0.7f)), seed: 3);

    [Fact]
    public void Clamp_with_scalar_bounds_matches_finite_differences() =>
        Check([Shape.F32(), s_23, Shape.F32()], (b, x) => b.Clamp(Affine(b, x[0], -0.5f), x[1], Affine(b, x[2], 0.5f)), seed: 5);

    /// <summary>0.3·x + c.</summary>
    private static HloOp Affine(HloBuilder b, HloOp x, float c) =>
        b.Add(b.Multiply(x, b.BroadcastScalar(b.Constant(0.3f), x.Shape.Dims)), b.BroadcastScalar(b.Constant(c), x.Shape.Dims));

    [Fact]
    public void Broadcast_and_reduce_match_finite_differences() =>
        Check([Shape.F32(3)], (b, x) =>
        {
            var add = b.ScalarComputation("sum", ElementType.F32, BinaryOp.Add);
            var big = b.Broadcast(x[0], [2, 3, 4], [1]);
            return b.Reduce(b.Multiply(big, big), b.Constant(0f), [0, 2], add);
        });

    [Fact]
    public void Reshape_and_transpose_match_finite_differences() =>
        Check([Shape.F32(2, 3, 4)], (b, x) => b.Multiply(b.Transpose(b.Reshape(x[0], 6, 4), 1, 0), b.Transpose(b.Reshape(x[0], 6, 4), 1, 0)));

    [Fact]
    public void Strided_slice_matches_finite_differences() =>
        Check([Shape.F32(5, 4)], (b, x) => b.Slice(x[0], [1, 0], [5, 3], [2, 2]));

    [Fact]
    public void Pad_with_interior_and_value_matches_finite_differences() =>
        Check([Shape.F32(2, 3), Shape.F32()], (b, x) => b.Pad(x[0], x[1], new PadDim(1, 0, 1), new PadDim(0, 2, 0)));

    [Fact]
    public void Concatenate_matches_finite_differences() =>
        Check([Shape.F32(2, 3), Shape.F32(2, 1)], (b, x) => b.Concatenate(1, x[0], x[1]));

    [Fact]
    public void Select_matches_finite_differences() =>
        Check([s_23, s_23], (b, x) => b.Select(b.Compare(x[0], x[1], ComparisonDirection.Gt), b.Multiply(x[0], x[1]), x[1]));

    [Fact]
    public void Relu_has_gradient_zero_at_zero_like_pytorch()
    {
        var b = new HloBuilder("relu");
        var x = b.Parameter(Shape.F32(3), "x");
        var add = b.ScalarComputation("sum", ElementType.F32, BinaryOp.Add);
        var y = b.Reduce(b.Maximum(x, b.BroadcastScalar(b.Constant(0f), [3])), b.Constant(0f), [0], add);
        var g = Autodiff.Gradients(b, y, [x])[0];
        var r = Evaluator.Run(b.Build(g), Value.Array(Shape.F32(3), [-1, 0, 2]));
        Assert.Equal([0.0, 0.0, 1.0], r.Data);
    }

    [Fact]
    public void General_dot_with_batch_matches_finite_differences() =>
        Check([Shape.F32(2, 3, 4), Shape.F32(4, 2, 5)], (b, x) => b.Dot(x[0], x[1], new DotDims([2], [0], [0], [1])));

    [Fact]
    public void Linear_layer_dot_matches_finite_differences() =>
        Check([Shape.F32(3, 4), Shape.F32(5, 4)], (b, x) => b.Dot(x[0], x[1], DotDims.Contract(1, 1)));

    [Fact]
    public void Nchw_convolution_pad_1_matches_finite_differences() =>
        Check([Shape.F32(2, 3, 5, 5), Shape.F32(4, 3, 3, 3)], (b, x) =>
            b.Convolution(x[0], x[1], ConvDims.Nchw2D, [new WindowDim(3, 1, 1, 1), new WindowDim(3, 1, 1, 1)]));

    [Fact]
    public void Strided_asymmetric_convolution_matches_finite_differences() =>
        Check([Shape.F32(1, 2, 6, 5), Shape.F32(3, 2, 3, 2)], (b, x) =>
            b.Convolution(x[0], x[1], ConvDims.Nchw2D, [new WindowDim(3, 2, 1, 0), new WindowDim(2, 2, 0, 1)]));

    [Fact]
    public void Nhwc_hwio_dilated_convolution_matches_finite_differences() =>
        Check([Shape.F32(2, 6, 6, 2), Shape.F32(2, 2, 2, 3)], (b, x) =>
            b.Convolution(x[0], x[1], new ConvDims(0, 3, [1, 2], 2, 3, [0, 1], 0, 3, [1, 2]),
                [new WindowDim(2, 1, 1, 0, WindowDilation: 2), new WindowDim(2, 2, 0, 0)]));

    [Fact]
    public void Grouped_convolution_kernel_gradient_matches_finite_differences() =>
        Check([Shape.F32(4, 2, 3, 3)], (b, x) =>
        {
            // Input 4 channels in 2 groups of 2; the kernel gradient is a batch-grouped convolution.
            var input = b.Constant(Shape.F32(2, 4, 5, 5), [.. Random(2 * 4 * 5 * 5, 42).Select(v => (float)v)]);
            return b.Convolution(input, x[0], ConvDims.Nchw2D, [new WindowDim(3, 1, 1, 1), new WindowDim(3, 2, 0, 1)], featureGroupCount: 2);
        });

    [Fact]
    public void Grouped_convolution_input_gradient_is_reported_as_unsupported()
    {
        var b = new HloBuilder("grouped");
        var x = b.Parameter(Shape.F32(1, 4, 3, 3), "x");
        var w = b.Parameter(Shape.F32(4, 2, 1, 1), "w");
        var y = b.Convolution(x, w, ConvDims.Nchw2D, [new WindowDim(1), new WindowDim(1)], featureGroupCount: 2);
        var add = b.ScalarComputation("sum", ElementType.F32, BinaryOp.Add);
        var loss = b.Reduce(y, b.Constant(0f), [0, 1, 2, 3], add);
        var e = Assert.Throws<NotSupportedException>(() => Autodiff.Gradients(b, loss, [x]));
        Assert.Equal($"autodiff: input gradient of grouped convolution %{y.Name}", e.Message);
    }

    [Fact]
    public void Max_pool_matches_finite_differences() =>
        Check([Shape.F32(2, 2, 4, 4)], (b, x) =>
        {
            var max = b.ScalarComputation("max", ElementType.F32, BinaryOp.Maximum);
            return b.ReduceWindow(x[0], b.Constant(float.NegativeInfinity), [new(1), new(1), new(2, 2), new(2, 2)], max);
        });

    [Fact]
    public void Stable_log_softmax_with_stopped_max_matches_finite_differences() =>
        Check([Shape.F32(2, 4)], (b, x) =>
        {
            var max = b.ScalarComputation("max", ElementType.F32, BinaryOp.Maximum);
            var add = b.ScalarComputation("sum", ElementType.F32, BinaryOp.Add);
            var m = HloBuilder.StopGradient(b.Reduce(x[0], b.Constant(float.NegativeInfinity), [1], max));
            var z = b.Subtract(x[0], b.Broadcast(m, [2, 4], [0]));
            var lse = b.Log(b.Reduce(b.Exp(z), b.Constant(0f), [1], add));
            return b.Subtract(z, b.Broadcast(lse, [2, 4], [0]));
        });

    [Fact]
    public void Value_without_a_path_gets_zeros()
    {
        var b = new HloBuilder("zeros");
        var x = b.Parameter(Shape.F32(2), "x");
        var y = b.Parameter(Shape.F32(), "y");
        var g = Autodiff.Gradients(b, b.Multiply(y, y), [x])[0];
        var r = Evaluator.Run(b.Build(g), Value.Array(Shape.F32(2), [1, 2]), Value.Of(3));
        Assert.Equal([0.0, 0.0], r.Data);
    }

    [Fact]
    public void Non_scalar_output_is_rejected_with_its_shape()
    {
        var b = new HloBuilder("bad");
        var x = b.Parameter(Shape.F32(2), "x");
        var e = Assert.Throws<ArgumentException>(() => Autodiff.Gradients(b, x, [x]));
        Assert.Equal("autodiff: output %x must be an f32 scalar, got f32[2]", e.Message);
    }
}
