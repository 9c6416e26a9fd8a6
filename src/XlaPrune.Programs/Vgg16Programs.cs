using XlaPrune.Hlo;
using XlaPrune.Models;

namespace XlaPrune.Programs;

/// <summary>Options of the train step's SGD (PyTorch semantics) and BatchNorm.</summary>
/// <param name="Momentum">μ in v ← μ·v + g.</param>
/// <param name="WeightDecay">Adds wd·w to every gradient.</param>
/// <param name="SlimmingLambda">Adds λ·sign(γ) to BatchNorm scale gradients (network slimming).</param>
/// <param name="BatchNormMomentum">Running statistics: r ← (1 − m)·r + m·batch statistic.</param>
/// <param name="BatchNormEpsilon">ε added to the variance.</param>
/// <param name="Dropout">Whether the ImageNet classifier applies its dropout (adds an rng state argument and result).</param>
public sealed record TrainStepOptions(
    double Momentum = 0.9, double WeightDecay = 0, double SlimmingLambda = 0,
    double BatchNormMomentum = 0.1, double BatchNormEpsilon = 1e-5, bool Dropout = true);

/// <summary>A named argument or result of a program.</summary>
public sealed record ProgramValue(string Name, Shape Shape)
{
    /// <summary>
    /// How the value's dimensions relate to PyTorch's order (checkpoints, TorchSharp): program dimension i is PyTorch
    /// dimension <c>TorchPermutation[i]</c>. Null when the orders agree (every value of an NCHW program).
    /// </summary>
    public IReadOnlyList<int>? TorchPermutation { get; init; }

    /// <summary>Row-major values in PyTorch's order, transposed to the program's order.</summary>
    public float[] FromTorch(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (TorchPermutation is null)
        {
            return values;
        }

        var inverse = DataFormats.Inverse(TorchPermutation);
        return DataFormats.Transpose(values, [.. inverse.Select(i => Shape.Dimensions[i])], TorchPermutation);
    }

    /// <summary>Row-major values in the program's order, transposed to PyTorch's order.</summary>
    public float[] ToTorch(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return TorchPermutation is null ? values : DataFormats.Transpose(values, Shape.Dimensions, DataFormats.Inverse(TorchPermutation));
    }

    /// <summary>The dimensions in PyTorch's order.</summary>
    public IReadOnlyList<long> TorchDimensions =>
        TorchPermutation is null ? Shape.Dimensions : [.. DataFormats.Inverse(TorchPermutation).Select(i => Shape.Dimensions[i])];
}

/// <summary>A built program with its argument and result tables (result i is tuple element i).</summary>
public sealed record Vgg16Program(HloModule Module, IReadOnlyList<ProgramValue> Arguments, IReadOnlyList<ProgramValue> Results)
{
    /// <summary>The program's activation and kernel order.</summary>
    public DataFormat Format { get; init; } = DataFormat.Nchw;
}

/// <summary>HLO programs of a <see cref="Vgg16Spec"/>. Argument order is documented in docs/hlo.md.</summary>
public static class Vgg16Programs
{
    /// <summary>
    /// One SGD-momentum train step: arguments params, momenta, BN stats, [rng state u64[2]], images f32[B,C,H,W], labels s32[B], lr f32[];
    /// results new params, new momenta, new stats, [new rng state], loss f32[]. Params, momenta, stats (and the rng state) alias their outputs.
    /// </summary>
    public static Vgg16Program TrainStep(Vgg16Spec spec, int batch, TrainStepOptions? options = null, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new TrainStepOptions();
        if (batch < 2)
        {
            throw new ArgumentException($"train step batch must be at least 2 (unbiased BatchNorm variance), got {batch}", nameof(batch));
        }

        var b = new HloBuilder("vgg16_train_step");
        var f = new Forward(b, spec, batch, options, train: true, format);
        var args = new List<ProgramValue>();
        var ps = spec.Parameters.Select(t => Param(b, args, t.Name, t, format)).ToArray();
        var ms = spec.Parameters.Select(t => Param(b, args, "momentum." + t.Name, t, format)).ToArray();
        var ss = spec.BatchNormStats.Select(t => Param(b, args, t.Name, t.Shape)).ToArray();
        var dropout = options.Dropout && spec.Linears.Any(l => l.DropoutAfter > 0);
        var rng = dropout ? Param(b, args, "rng_state", Shape.Array(ElementType.U64, 2)) : null;
        var images = Images(b, args, spec, batch, format);
        var labels = Param(b, args, "labels", Shape.Array(ElementType.S32, batch));
        var lr = Param(b, args, "lr", Shape.Scalar(ElementType.F32));

        var (logits, newStats, newRng) = f.Run(ps, ss, images, rng);
        var loss = f.CrossEntropy(logits, labels);
        var grads = Autodiff.Gradients(b, loss, ps);

        var outs = new List<HloOp>();
        var results = new List<ProgramValue>();
        var newParams = new HloOp[ps.Length];
        var newMomenta = new HloOp[ps.Length];
        for (var i = 0; i < ps.Length; i++)
        {
            var w = ps[i];
            var dims = w.Shape.Dimensions;
            var g = grads[i];
            if (options.WeightDecay != 0)
            {
                g = b.Add(g, b.Multiply(f.Full((float)options.WeightDecay, dims), w));
            }

            if (options.SlimmingLambda != 0 && spec.Parameters[i].Role == TensorRole.BatchNormScale)
            {
                g = b.Add(g, b.Multiply(f.Full((float)options.SlimmingLambda, dims), b.Sign(w)));
            }

            var v = b.Add(b.Multiply(f.Full((float)options.Momentum, dims), ms[i]), g);
            newMomenta[i] = v;
            newParams[i] = b.Subtract(w, b.Multiply(b.BroadcastScalar(lr, dims), v));
        }

        void Out(HloOp op, string name)
        {
            outs.Add(op);
            results.Add(new ProgramValue(name, op.Shape));
        }

        for (var i = 0; i < ps.Length; i++)
        {
            Out(newParams[i], spec.Parameters[i].Name);
        }

        for (var i = 0; i < ps.Length; i++)
        {
            Out(newMomenta[i], "momentum." + spec.Parameters[i].Name);
        }

        for (var i = 0; i < ss.Length; i++)
        {
            Out(newStats[i], spec.BatchNormStats[i].Name);
        }

        if (newRng is not null)
        {
            Out(newRng, "rng_state");
        }

        Out(loss, "loss");
        var aliasCount = (2 * ps.Length) + ss.Length + (rng is null ? 0 : 1);
        var aliases = Enumerable.Range(0, aliasCount).Select(i => new InputOutputAlias(i, i)).ToArray();
        for (var i = 0; i < aliasCount; i++)
        {
            results[i] = results[i] with { TorchPermutation = args[i].TorchPermutation };
        }

        return new Vgg16Program(b.Build(b.Tuple([.. outs]), aliases), args, results) { Format = format };
    }

    /// <summary>Inference: arguments params, BN stats, images f32[B,H,W,C] (NHWC) or f32[B,C,H,W] (NCHW); result logits f32[B,classes] (a 1-tuple).</summary>
    public static Vgg16Program EvalStep(Vgg16Spec spec, int batch, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (batch < 1)
        {
            throw new ArgumentException($"eval step batch must be at least 1, got {batch}", nameof(batch));
        }

        var b = new HloBuilder("vgg16_eval_step");
        var f = new Forward(b, spec, batch, new TrainStepOptions(), train: false, format);
        var args = new List<ProgramValue>();
        var ps = spec.Parameters.Select(t => Param(b, args, t.Name, t, format)).ToArray();
        var ss = spec.BatchNormStats.Select(t => Param(b, args, t.Name, t.Shape)).ToArray();
        var images = Images(b, args, spec, batch, format);
        var (logits, _, _) = f.Run(ps, ss, images, null);
        return new Vgg16Program(b.Build(b.Tuple(logits)), args, [new ProgramValue("logits", logits.Shape)]) { Format = format };
    }

    // A parameter (or its momentum): conv kernels take the format's kernel order, the rest PyTorch's.
    private static HloOp Param(HloBuilder b, List<ProgramValue> args, string name, TensorSpec tensor, DataFormat format)
    {
        var permutation = tensor.Role == TensorRole.ConvWeight ? format.KernelFromTorch() : null;
        return Param(b, args, name, tensor.Shape, permutation);
    }

    private static HloOp Images(HloBuilder b, List<ProgramValue> args, Vgg16Spec spec, int batch, DataFormat format) =>
        Param(b, args, "images", [batch, spec.InputChannels, spec.ImageSize, spec.ImageSize], format.ActivationFromTorch());

    private static HloOp Param(HloBuilder b, List<ProgramValue> args, string name, IReadOnlyList<int> torchDims, int[]? permutation = null)
    {
        long[] dims = permutation is null ? [.. torchDims.Select(d => (long)d)] : [.. permutation.Select(p => (long)torchDims[p])];
        return Param(b, args, name, Shape.F32(dims), permutation);
    }

    private static HloOp Param(HloBuilder b, List<ProgramValue> args, string name, Shape shape, int[]? permutation = null)
    {
        args.Add(new ProgramValue(name, shape) { TorchPermutation = permutation });
        return b.Parameter(shape, name);
    }
}
