using XlaPrune.Hlo;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using static TorchSharp.torch;

namespace XlaPrune.Study.Tests;

/// <summary>
/// Each op of the VGG-16 train step on its own: a small HLO program (forward, and gradients from the project's
/// <see cref="Autodiff"/> of <c>sum(out · g)</c> for a seeded upstream gradient <c>g</c>) run on the CPU plugin,
/// against TorchSharp's forward and autograd on the same data, within 1e-4 relative (see <see cref="AssertClose"/> for
/// the absolute floor near zero).
/// </summary>
public class OpAgreementTests
{
    private const float Epsilon = 1e-5f;
    private const float BatchNormMomentum = 0.1f;

    // batch, in channels, out channels, height, width, stride; odd channel counts are what pruning leaves.
    // Each shape in both data formats: the HLO runs in the format, TorchSharp in NCHW/OIHW, and values are
    // transposed on the host at the boundary as the program bindings do.
    public static TheoryData<int, int, int, int, int, int, DataFormat> ConvShapes => InBothFormats<(int, int, int, int, int, int), TheoryData<int, int, int, int, int, int, DataFormat>>(
        [(4, 3, 37, 16, 16, 1), (4, 37, 65, 2, 2, 1), (4, 37, 65, 16, 16, 1), (1, 65, 3, 5, 7, 1), (4, 3, 37, 16, 16, 2), (2, 37, 11, 9, 9, 2)],
        (data, s, f) => data.Add(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, f));

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv3x3_pad1_forward_and_both_gradients_match_torchsharp(int n, int cin, int cout, int h, int w, int stride, DataFormat format)
    {
        var random = new Random((n * 1000) + (cin * 100) + cout + stride);
        var ho = ((h + 2 - 3) / stride) + 1;
        var wo = ((w + 2 - 3) / stride) + 1;
        var x = Uniform(random, n * cin * h * w, -1, 1);
        var k = Uniform(random, cout * cin * 9, -1 / MathF.Sqrt(cin * 9), 1 / MathF.Sqrt(cin * 9));
        var g = Uniform(random, n * cout * ho * wo, -1, 1);
        long[] xDims = [n, cin, h, w], kDims = [cout, cin, 3, 3], gDims = [n, cout, ho, wo];

        var act = format.ActivationFromTorch();
        var ker = format.KernelFromTorch();
        var b = new HloBuilder("conv_agreement");
        var px = b.Parameter(Shape.F32(Permuted(xDims, act)), "x");
        var pk = b.Parameter(Shape.F32(Permuted(kDims, ker)), "k");
        var pg = b.Parameter(Shape.F32(Permuted(gDims, act)), "g");
        var window = new WindowDim(3, stride, 1, 1);
        var y = b.Convolution(px, pk, format.Conv2D(), [window, window]);
        Assert.Equal(Permuted(gDims, act), y.Shape.Dimensions);
        var grads = Autodiff.Gradients(b, Dot(b, y, pg), [px, pk]);
        var hlo = RunOnPlugin(b.Build(b.Tuple(y, grads[0], grads[1])), In(x, xDims, act), In(k, kDims, ker), In(g, gDims, act));
        hlo = [Out(hlo[0], gDims, act), Out(hlo[1], xDims, act), Out(hlo[2], kDims, ker)];

        using var scope = NewDisposeScope();
        var tx = tensor(x, xDims).requires_grad_();
        var tk = tensor(k, kDims).requires_grad_();
        var ty = nn.functional.conv2d(tx, tk, strides: [stride, stride], padding: [1, 1]);
        (ty * tensor(g, gDims)).sum().backward();

        AssertClose("y", Values(ty), hlo[0]);
        AssertClose("dL/dx", Values(tx.grad!), hlo[1]);
        AssertClose("dL/dk", Values(tk.grad!), hlo[2]);
    }

    // batch, channels, height, width, number of distinct input values (few values force ties within windows).
    public static TheoryData<int, int, int, int, int, DataFormat> PoolShapes => InBothFormats<(int, int, int, int, int), TheoryData<int, int, int, int, int, DataFormat>>(
        [(4, 37, 16, 16, 1000000), (4, 37, 16, 16, 3), (4, 65, 2, 2, 2), (2, 11, 5, 7, 3), (1, 3, 4, 4, 1)],
        (data, s, f) => data.Add(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, f));

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void Max_pool_2x2_stride2_and_its_gradient_match_torchsharp_including_ties(int n, int c, int h, int w, int levels, DataFormat format)
    {
        var random = new Random((n * 100) + c + levels);
        // Values on a grid of `levels` steps: with 2 or 3 levels most windows hold a tied maximum, and PyTorch
        // sends the gradient of a tie to the first maximum in row-major window order, as select-and-scatter GE does.
        var x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)random.Next(levels) - (levels / 2)).ToArray();
        var ho = h / 2;
        var wo = w / 2;
        var g = Uniform(random, n * c * ho * wo, -1, 1);
        long[] xDims = [n, c, h, w], gDims = [n, c, ho, wo];

        var act = format.ActivationFromTorch();
        var b = new HloBuilder("max_pool_agreement");
        var px = b.Parameter(Shape.F32(Permuted(xDims, act)), "x");
        var pg = b.Parameter(Shape.F32(Permuted(gDims, act)), "g");
        var max = b.ScalarComputation("max_f32", ElementType.F32, BinaryOp.Maximum);
        WindowDim[] window = format == DataFormat.Nhwc ? [new(1), new(2, 2), new(2, 2), new(1)] : [new(1), new(1), new(2, 2), new(2, 2)];
        var y = b.ReduceWindow(px, b.Constant(float.NegativeInfinity), window, max);
        Assert.Equal(Permuted(gDims, act), y.Shape.Dimensions);
        var grads = Autodiff.Gradients(b, Dot(b, y, pg), [px]);
        var hlo = RunOnPlugin(b.Build(b.Tuple(y, grads[0])), In(x, xDims, act), In(g, gDims, act));
        hlo = [Out(hlo[0], gDims, act), Out(hlo[1], xDims, act)];

        using var scope = NewDisposeScope();
        var tx = tensor(x, xDims).requires_grad_();
        var ty = nn.functional.max_pool2d(tx, 2, 2);
        (ty * tensor(g, gDims)).sum().backward();

        AssertClose("y", Values(ty), hlo[0]);
        var dx = Values(tx.grad!);
        AssertClose("dL/dx", dx, hlo[1]);
        // Every window passes its whole gradient to exactly one element, so non-zero counts agree too.
        Assert.Equal(g.Count(v => v != 0), hlo[1].Count(v => v != 0));
    }

    // batch, channels, height, width.
    public static TheoryData<int, int, int, int, DataFormat> BatchNormShapes => InBothFormats<(int, int, int, int), TheoryData<int, int, int, int, DataFormat>>(
        [(4, 37, 16, 16), (4, 65, 2, 2), (2, 3, 1, 1), (8, 11, 5, 3)],
        (data, s, f) => data.Add(s.Item1, s.Item2, s.Item3, s.Item4, f));

    [Theory]
    [MemberData(nameof(BatchNormShapes))]
    public void Batch_norm_training_statistics_output_and_gradients_match_torchsharp(int n, int c, int h, int w, DataFormat format)
    {
        var random = new Random((n * 1000) + (c * 10) + h);
        // Per-channel offsets and spreads, so mean and variance differ by channel and are away from 0 and 1, with
        // |mean| / std up to about 7 (conv outputs seen by BatchNorm in the train step are within that).
        var offsets = Uniform(random, c, -1, 1);
        var scales = Uniform(random, c, 0.5f, 3);
        var x = new float[n * c * h * w];
        for (var i = 0; i < x.Length; i++)
        {
            var channel = i / (h * w) % c;
            x[i] = offsets[channel] + (scales[channel] * ((float)random.NextDouble() - 0.5f));
        }

        var gamma = Uniform(random, c, 0.5f, 1.5f);
        var beta = Uniform(random, c, -0.2f, 0.2f);
        var runningMean = Uniform(random, c, -0.1f, 0.1f);
        var runningVar = Uniform(random, c, 0.8f, 1.2f);
        var g = Uniform(random, x.Length, -1, 1);
        long[] xDims = [n, c, h, w], cDims = [c];

        // The train step's BatchNorm (src/XlaPrune.Programs/Forward.cs): biased variance normalises, the unbiased
        // one updates the running variance.
        var act = format.ActivationFromTorch();
        var pDims = Permuted(xDims, act);
        long[] reduced = [0, .. format.SpatialDims()];
        var b = new HloBuilder("batch_norm_agreement");
        var px = b.Parameter(Shape.F32(pDims), "x");
        var pGamma = b.Parameter(Shape.F32(cDims), "gamma");
        var pBeta = b.Parameter(Shape.F32(cDims), "beta");
        var pMean = b.Parameter(Shape.F32(cDims), "running_mean");
        var pVar = b.Parameter(Shape.F32(cDims), "running_var");
        var pg = b.Parameter(Shape.F32(pDims), "g");
        var add = b.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);
        HloOp Full(float value, long[] dims) => b.BroadcastScalar(b.Constant(value), dims);
        HloOp PerChannel(HloOp v) => b.Broadcast(v, pDims, [format.FeatureDim()]);
        var count = (double)n * h * w;
        var mean = b.Multiply(b.Reduce(px, b.Constant(0f), reduced, add), Full((float)(1 / count), cDims));
        var centred = b.Subtract(px, PerChannel(mean));
        var variance = b.Multiply(b.Reduce(b.Multiply(centred, centred), b.Constant(0f), reduced, add), Full((float)(1 / count), cDims));
        var unbiased = b.Multiply(variance, Full((float)(count / (count - 1)), cDims));
        var newMean = b.Add(b.Multiply(Full(1 - BatchNormMomentum, cDims), pMean), b.Multiply(Full(BatchNormMomentum, cDims), mean));
        var newVar = b.Add(b.Multiply(Full(1 - BatchNormMomentum, cDims), pVar), b.Multiply(Full(BatchNormMomentum, cDims), unbiased));
        var inv = b.Rsqrt(b.Add(variance, Full(Epsilon, cDims)));
        var y = b.Add(b.Multiply(centred, PerChannel(b.Multiply(inv, pGamma))), PerChannel(pBeta));
        var grads = Autodiff.Gradients(b, Dot(b, y, pg), [px, pGamma, pBeta]);
        var hlo = RunOnPlugin(
            b.Build(b.Tuple(mean, variance, unbiased, newMean, newVar, y, grads[0], grads[1], grads[2])),
            In(x, xDims, act), (gamma, cDims), (beta, cDims), (runningMean, cDims), (runningVar, cDims), In(g, xDims, act));
        hlo[5] = Out(hlo[5], xDims, act);
        hlo[6] = Out(hlo[6], xDims, act);

        using var scope = NewDisposeScope();
        var tx = tensor(x, xDims).requires_grad_();
        var tGamma = tensor(gamma, cDims).requires_grad_();
        var tBeta = tensor(beta, cDims).requires_grad_();
        var tMean = tensor(runningMean, cDims);
        var tVar = tensor(runningVar, cDims);
        var ty = nn.functional.batch_norm(tx, tMean, tVar, tGamma, tBeta, training: true, momentum: BatchNormMomentum, eps: Epsilon);
        (ty * tensor(g, xDims)).sum().backward();
        using (no_grad())
        {
            AssertClose("mean", Values(tx.mean([0, 2, 3])), hlo[0]);
            AssertClose("biased variance", Values(tx.var([0, 2, 3], unbiased: false)), hlo[1]);
            AssertClose("unbiased variance", Values(tx.var([0, 2, 3], unbiased: true)), hlo[2]);
        }

        AssertClose("running_mean", Values(tMean), hlo[3]);
        AssertClose("running_var", Values(tVar), hlo[4]);
        AssertClose("y", Values(ty), hlo[5]);
        AssertClose("dL/dx", Values(tx.grad!), hlo[6]);
        AssertClose("dL/dgamma", Values(tGamma.grad!), hlo[7]);
        AssertClose("dL/dbeta", Values(tBeta.grad!), hlo[8]);
    }

    // batch, classes, logit scale (30 makes exp overflow without the max subtraction).
    public static TheoryData<int, int, float> CrossEntropyShapes => new()
    {
        { 8, 10, 1 },
        { 5, 37, 4 },
        { 3, 1000, 1 },
        { 4, 10, 30 },
        { 1, 2, 1 },
    };

    [Theory]
    [MemberData(nameof(CrossEntropyShapes))]
    public void Softmax_cross_entropy_loss_and_logits_gradient_match_torchsharp(int batch, int classes, float scale)
    {
        var random = new Random((batch * 1000) + classes);
        var logits = Uniform(random, batch * classes, -scale, scale);
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        long[] dims = [batch, classes];

        // The train step's loss (src/XlaPrune.Programs/Forward.cs): stable log-softmax with the max held constant,
        // one-hot labels from iota and compare, mean over the batch.
        var b = new HloBuilder("cross_entropy_agreement");
        var pz = b.Parameter(Shape.F32(dims), "logits");
        var pl = b.Parameter(Shape.Array(ElementType.S32, batch), "labels");
        var add = b.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);
        var maxF32 = b.ScalarComputation("max_f32", ElementType.F32, BinaryOp.Maximum);
        var max = HloBuilder.StopGradient(b.Reduce(pz, b.Constant(float.NegativeInfinity), [1], maxF32));
        var z = b.Subtract(pz, b.Broadcast(max, dims, [0]));
        var lse = b.Log(b.Reduce(b.Exp(z), b.Constant(0f), [1], add));
        var logp = b.Subtract(z, b.Broadcast(lse, dims, [0]));
        var hot = b.Compare(b.Iota(Shape.Array(ElementType.S32, dims), 1), b.Broadcast(pl, dims, [0]), ComparisonDirection.Eq);
        var picked = b.Select(hot, logp, b.BroadcastScalar(b.Constant(0f), dims));
        var loss = b.Multiply(b.Reduce(picked, b.Constant(0f), [0, 1], add), b.Constant(-1f / batch));
        var grads = Autodiff.Gradients(b, loss, [pz]);
        float[][] hlo;
        using (var client = PjrtPlugin.Load("cpu").CreateClient())
        using (var executable = client.CompileHlo(b.Build(b.Tuple(loss, grads[0])).ToProtoBytes()))
        using (var zBuffer = client.BufferFromHost<float>(logits, dims))
        using (var lBuffer = client.BufferFromHost<int>(labels, [batch]))
        {
            hlo = Collect(executable.Execute([zBuffer, lBuffer]));
        }

        using var scope = NewDisposeScope();
        var tz = tensor(logits, dims).requires_grad_();
        var tLoss = nn.functional.cross_entropy(tz, tensor(labels.Select(l => (long)l).ToArray()));
        tLoss.backward();

        AssertClose("loss", [tLoss.item<float>()], hlo[0]);
        AssertClose("dL/dlogits", Values(tz.grad!), hlo[1]);
    }

    private static TData InBothFormats<TShape, TData>(TShape[] shapes, Action<TData, TShape, DataFormat> add)
        where TData : new()
    {
        var data = new TData();
        foreach (var f in Enum.GetValues<DataFormat>())
        {
            foreach (var s in shapes)
            {
                add(data, s, f);
            }
        }

        return data;
    }

    // PyTorch-order dims in the program's order (perm null: unchanged).
    private static long[] Permuted(long[] dims, int[]? perm) => perm is null ? dims : [.. perm.Select(p => dims[p])];

    // PyTorch-order values as a program argument.
    private static (float[] Data, long[] Dims) In(float[] data, long[] dims, int[]? perm) =>
        perm is null ? (data, dims) : (DataFormats.Transpose(data, dims, perm), Permuted(dims, perm));

    // A program result back in PyTorch's order, given the PyTorch-order dims.
    private static float[] Out(float[] data, long[] dims, int[]? perm) =>
        perm is null ? data : DataFormats.Transpose(data, Permuted(dims, perm), DataFormats.Inverse(perm));

    // sum(a · b) over every element: the scalar whose gradient with respect to a is b's pull-back.
    private static HloOp Dot(HloBuilder b, HloOp a, HloOp weights)
    {
        var add = b.ScalarComputation("sum_f32", ElementType.F32, BinaryOp.Add);
        return b.Reduce(b.Multiply(a, weights), b.Constant(0f), [.. Enumerable.Range(0, a.Shape.Rank).Select(i => (long)i)], add);
    }

    private static float[][] RunOnPlugin(HloModule module, params (float[] Data, long[] Dims)[] arguments)
    {
        using var client = PjrtPlugin.Load("cpu").CreateClient();
        using var executable = client.CompileHlo(module.ToProtoBytes());
        var buffers = arguments.Select(a => client.BufferFromHost<float>(a.Data, a.Dims)).ToArray();
        try
        {
            return Collect(executable.Execute(buffers));
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    private static float[][] Collect(PjrtBuffer[] outputs)
    {
        try
        {
            return [.. outputs.Select(o => o.ToArray<float>())];
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    private static float[] Uniform(Random random, int count, float lo, float hi) =>
        [.. Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * (float)random.NextDouble()))];

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    // Within 1e-4 relative, with an absolute floor for values near zero: 1e-5 (as TrainStepAgreementTests) times the
    // tensor's root-mean-square when that exceeds 1. An element that is a long sum cancelling to near zero (a weight
    // gradient summed over batch and space) carries the rounding of its terms, which scale with the tensor: against a
    // double-precision sum, both sides err by up to 5e-6 of the RMS there (TorchSharp more than the plugin).
    private static void AssertClose(string name, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var rms = Math.Sqrt(expected.Sum(v => (double)v * v) / Math.Max(1, expected.Length));
        var floor = 1e-5 * Math.Max(1, rms);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = Math.Max(floor, 1e-4 * Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{name}[{i}]: TorchSharp {expected[i]}, HLO {actual[i]}");
        }
    }
}
