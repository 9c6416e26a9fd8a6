using XlaPrune.Hlo;
using XlaPrune.Models;

namespace XlaPrune.Programs;

/// <summary>The VGG-16 forward pass in NHWC or NCHW, train-mode or eval-mode BatchNorm, and the loss.</summary>
internal sealed class Forward(HloBuilder b, Vgg16Spec spec, int batch, TrainStepOptions options, bool train, DataFormat format)
{
    private readonly int _feature = format.FeatureDim();
    private readonly long[] _batchAndSpatial = [0, .. format.SpatialDims()];

    private HloComputation? _add;
    private HloComputation? _max;

    private HloComputation AddF32 => _add ??= b.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);

    private HloComputation MaxF32 => _max ??= b.ScalarComputation("max_f32", ElementType.F32, BinaryOp.Maximum);

    public HloOp Full(float value, IReadOnlyList<long> dims) => b.BroadcastScalar(b.Constant(value), dims);

    private HloOp PerChannel(HloOp c, IReadOnlyList<long> dims) => b.Broadcast(c, [.. dims], [_feature]);

    private HloOp Sum(HloOp x, params long[] dims) => b.Reduce(x, b.Constant(0f), dims, AddF32);

    /// <summary>Sum over the batch shards of all replicas (synchronised BatchNorm), else over this replica's.</summary>
    private HloOp BatchSum(HloOp x, params long[] dims) =>
        options.SyncBatchNorm && options.Replicas > 1 ? b.AllReduce(Sum(x, dims), AddF32) : Sum(x, dims);

    /// <summary>Mean of a value across replicas (identity for one).</summary>
    public HloOp ReplicaMean(HloOp x) => options.Replicas > 1
        ? b.Multiply(b.AllReduce(x, AddF32), Full(1f / options.Replicas, x.Shape.Dimensions))
        : x;

    public (HloOp Logits, HloOp[] NewStats, HloOp? NewRng) Run(HloOp[] ps, HloOp[] stats, HloOp images, HloOp? rng)
    {
        var x = images;
        var newStats = new List<HloOp>();
        var p = 0;
        foreach (var c in spec.Convs)
        {
            var w = ps[p++];
            var gamma = ps[p++];
            var beta = ps[p++];
            var pad = ConvLayerSpec.KernelSize / 2;
            x = b.Convolution(x, w, format.Conv2D(), [new WindowDim(ConvLayerSpec.KernelSize, 1, pad, pad), new WindowDim(ConvLayerSpec.KernelSize, 1, pad, pad)]);
            var dims = x.Shape.Dimensions;
            var rm = stats[2 * c.Index];
            var rv = stats[(2 * c.Index) + 1];
            HloOp mean, variance;
            if (train)
            {
                var count = _batchAndSpatial.Aggregate(1.0, (a, d) => a * dims[(int)d]) * (options.SyncBatchNorm ? options.Replicas : 1);
                mean = b.Multiply(BatchSum(x, _batchAndSpatial), Full((float)(1 / count), [c.OutChannels]));
                var centred = b.Subtract(x, PerChannel(mean, dims));
                variance = b.Multiply(BatchSum(b.Multiply(centred, centred), _batchAndSpatial), Full((float)(1 / count), [c.OutChannels]));
                var m = (float)options.BatchNormMomentum;
                newStats.Add(b.Add(b.Multiply(Full(1 - m, [c.OutChannels]), rm), b.Multiply(Full(m, [c.OutChannels]), mean)));
                var unbiased = b.Multiply(variance, Full((float)(count / (count - 1)), [c.OutChannels]));
                newStats.Add(b.Add(b.Multiply(Full(1 - m, [c.OutChannels]), rv), b.Multiply(Full(m, [c.OutChannels]), unbiased)));
                x = centred;
            }
            else
            {
                mean = rm;
                variance = rv;
                x = b.Subtract(x, PerChannel(mean, dims));
            }

            var inv = b.Rsqrt(b.Add(variance, Full((float)options.BatchNormEpsilon, [c.OutChannels])));
            x = b.Add(b.Multiply(x, PerChannel(b.Multiply(inv, gamma), dims)), PerChannel(beta, dims));
            x = Relu(x);
            if (c.MaxPoolAfter)
            {
                WindowDim[] window = format == DataFormat.Nhwc ? [new(1), new(2, 2), new(2, 2), new(1)] : [new(1), new(1), new(2, 2), new(2, 2)];
                x = b.ReduceWindow(x, b.Constant(float.NegativeInfinity), window, MaxF32);
            }
        }

        // The classifier's weights flatten features in PyTorch's (C, H, W) order, whatever the format.
        if (format == DataFormat.Nhwc)
        {
            x = b.Transpose(x, 0, 3, 1, 2);
        }

        x = b.Reshape(x, batch, spec.FlattenFeatures);
        HloOp? newRng = null;
        foreach (var l in spec.Linears)
        {
            var w = ps[p++];
            var bias = ps[p++];
            x = b.Dot(x, w, DotDims.Contract(1, 1));
            x = b.Add(x, b.Broadcast(bias, [batch, l.OutFeatures], [1]));
            if (l.ReluAfter)
            {
                x = Relu(x);
            }

            if (train && l.DropoutAfter > 0 && rng is not null)
            {
                // Keep where uniform u32 bits < (1 - p)·2^32, scale kept values by 1 / (1 - p).
                var state = b.RngBitGenerator(newRng ?? rng, Shape.Array(ElementType.U32, batch, l.OutFeatures));
                newRng = b.GetTupleElement(state, 0);
                var bits = b.Convert(b.GetTupleElement(state, 1), ElementType.F32);
                var keep = 1 - l.DropoutAfter;
                var mask = b.Compare(bits, Full((float)(keep * 4294967296.0), x.Shape.Dimensions), ComparisonDirection.Lt);
                x = b.Select(mask, b.Multiply(x, Full((float)(1 / keep), x.Shape.Dimensions)), Full(0f, x.Shape.Dimensions));
            }
        }

        return (x, [.. newStats], newRng);
    }

    private HloOp Relu(HloOp x) => b.Maximum(x, Full(0f, x.Shape.Dimensions));

    /// <summary>Mean softmax cross-entropy; labels s32[B] become one-hot through iota and compare.</summary>
    public HloOp CrossEntropy(HloOp logits, HloOp labels)
    {
        var dims = logits.Shape.Dimensions;
        var max = HloBuilder.StopGradient(b.Reduce(logits, b.Constant(float.NegativeInfinity), [1], MaxF32));
        var z = b.Subtract(logits, b.Broadcast(max, [.. dims], [0]));
        var lse = b.Log(Sum(b.Exp(z), 1));
        var logp = b.Subtract(z, b.Broadcast(lse, [.. dims], [0]));
        var classes = b.Iota(Shape.Array(ElementType.S32, dims[0], dims[1]), 1);
        var hot = b.Compare(classes, b.Broadcast(labels, [.. dims], [0]), ComparisonDirection.Eq);
        var picked = b.Select(hot, logp, Full(0f, dims));
        return b.Multiply(Sum(picked, 0, 1), b.Constant((float)(-1.0 / dims[0])));
    }
}
