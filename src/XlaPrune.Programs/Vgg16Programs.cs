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
/// <param name="Replicas">
/// Data-parallel replicas running the program at once, each on its own shard of the batch. With more than one,
/// gradients and the loss are averaged across replicas by all-reduce, so every replica applies the same update.
/// </param>
/// <param name="SyncBatchNorm">
/// With replicas: BatchNorm normalises by statistics of the whole global batch (all-reduced), instead of each
/// replica's own shard (the default of TF and JAX on TPUs). Running statistics are averaged across replicas in
/// both modes, so all replicas hold the same state.
/// </param>
public sealed record TrainStepOptions(
    double Momentum = 0.9, double WeightDecay = 0, double SlimmingLambda = 0,
    double BatchNormMomentum = 0.1, double BatchNormEpsilon = 1e-5, bool Dropout = true,
    int Replicas = 1, bool SyncBatchNorm = false);

/// <summary>HLO programs of a <see cref="Vgg16Spec"/>. Argument order is documented in docs/hlo.md.</summary>
public static class Vgg16Programs
{
    /// <summary>
    /// One SGD-momentum train step: arguments params, momenta, BN stats, [rng state u64[2]], images (f32[B,H,W,C] in NHWC,
    /// f32[B,C,H,W] in NCHW), labels s32[B], lr f32[]; results new params, new momenta, new stats, [new rng state], loss f32[].
    /// Params, momenta, stats (and the rng state) alias their outputs. Conv kernels and their momenta are HWIO in NHWC.
    /// </summary>
    public static Vgg16Program TrainStep(Vgg16Spec spec, int batch, TrainStepOptions? options = null, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new TrainStepOptions();
        if (batch < 2)
        {
            throw new ArgumentException($"train step batch must be at least 2 (unbiased BatchNorm variance), got {batch}", nameof(batch));
        }

        if (options.Replicas < 1)
        {
            throw new ArgumentException($"train step replicas must be at least 1, got {options.Replicas}", nameof(options));
        }

        var b = new HloBuilder(options.Replicas > 1 ? $"vgg16_train_step_x{options.Replicas}" : "vgg16_train_step");
        var f = new Forward(b, spec, batch, options, train: true, format);
        var args = new List<ProgramValue>();
        var ps = spec.Parameters.Select(t => Param(b, args, InFormat(ProgramValue.Parameter, t, format))).ToArray();
        var ms = spec.Parameters.Select(t => Param(b, args, InFormat(ProgramValue.Momentum, t, format))).ToArray();
        var ss = spec.BatchNormStats.Select(t => Param(b, args, ProgramValue.BatchNormStatistic(t.Name, F32(t.Shape)))).ToArray();
        var dropout = options.Dropout && spec.Linears.Any(l => l.DropoutAfter > 0);
        var rng = dropout ? Param(b, args, ProgramValue.RngState()) : null;
        var images = Param(b, args, Images(spec, batch, format));
        var labels = Param(b, args, ProgramValue.Labels(batch));
        var lr = Param(b, args, ProgramValue.LearningRate());

        var (logits, newStats, newRng) = f.Run(ps, ss, images, rng);
        var loss = f.CrossEntropy(logits, labels);
        var grads = Autodiff.Gradients(b, loss, ps);
        if (options.Replicas > 1)
        {
            // Each replica differentiated its own shard's mean loss; the global batch's mean loss is
            // their mean, and so is its gradient.
            grads = [.. grads.Select(f.ReplicaMean)];
            loss = f.ReplicaMean(loss);
            newStats = [.. newStats.Select(f.ReplicaMean)];
        }

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

        // Result i of the carried state is the new value of argument i: same name, role and tensor.
        HloOp[] rngOut = newRng is null ? [] : [newRng];
        var carried = newParams.Concat(newMomenta).Concat(newStats).Concat(rngOut).ToArray();
        for (var i = 0; i < carried.Length; i++)
        {
            outs.Add(carried[i]);
            results.Add(args[i]);
        }

        outs.Add(loss);
        results.Add(ProgramValue.Loss());
        var aliasCount = (2 * ps.Length) + ss.Length + (rng is null ? 0 : 1);
        var aliases = Enumerable.Range(0, aliasCount).Select(i => new InputOutputAlias(i, i)).ToArray();
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
        var ps = spec.Parameters.Select(t => Param(b, args, InFormat(ProgramValue.Parameter, t, format))).ToArray();
        var ss = spec.BatchNormStats.Select(t => Param(b, args, ProgramValue.BatchNormStatistic(t.Name, F32(t.Shape)))).ToArray();
        var images = Param(b, args, Images(spec, batch, format));
        var (logits, _, _) = f.Run(ps, ss, images, null);
        return new Vgg16Program(b.Build(b.Tuple(logits)), args, [ProgramValue.Logits(logits.Shape)]) { Format = format };
    }

    private static Shape F32(IReadOnlyList<int> dims) => Shape.F32([.. dims.Select(d => (long)d)]);

    // A model tensor (or its momentum) in the format: conv kernels take the format's kernel order, the rest PyTorch's.
    private static ProgramValue InFormat(Func<string, Shape, ProgramValue> make, TensorSpec tensor, DataFormat format)
    {
        var permutation = tensor.Role == TensorRole.ConvWeight ? format.KernelFromTorch() : null;
        return permutation is null
            ? make(tensor.Name, F32(tensor.Shape))
            : make(tensor.Name, Shape.F32([.. permutation.Select(p => (long)tensor.Shape[p])])) with { TorchPermutation = permutation };
    }

    private static ProgramValue Images(Vgg16Spec spec, int batch, DataFormat format)
    {
        long[] torch = [batch, spec.InputChannels, spec.ImageSize, spec.ImageSize];
        var permutation = format.ActivationFromTorch();
        return permutation is null
            ? ProgramValue.Images(Shape.F32(torch))
            : ProgramValue.Images(Shape.F32([.. permutation.Select(p => torch[p])])) with { TorchPermutation = permutation };
    }

    private static HloOp Param(HloBuilder b, List<ProgramValue> args, ProgramValue value)
    {
        args.Add(value);
        return b.Parameter(value.Shape, value.Name);
    }
}
