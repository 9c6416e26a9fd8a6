using TorchSharp;
using TorchSharp.Modules;
using XlaPrune.Models;
using static TorchSharp.torch;

namespace XlaPrune.Torch;

/// <summary>Optimizer settings shared by the TorchSharp trainer and the HLO train step.</summary>
/// <param name="Momentum">μ in v ← μ·v + g.</param>
/// <param name="WeightDecay">Adds wd·w to every gradient.</param>
/// <param name="SlimmingLambda">Network Slimming's sparsity: adds λ·sign(γ) to every BatchNorm scale's gradient.</param>
public sealed record SgdOptions(double Momentum = 0.9, double WeightDecay = 0, double SlimmingLambda = 0);

/// <summary>
/// SGD with momentum exactly as PyTorch's (no dampening, no Nesterov): g ← ∇ + wd·w (+ λ·sign(γ)),
/// v ← μ·v + g, w ← w − lr·v. Written out here rather than using TorchSharp's optimizer so the
/// momenta are plain named tensors: checkpointed, resumed, and compared with the HLO train step.
/// </summary>
public sealed class SgdMomentum : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, Tensor> _momenta;
    private readonly HashSet<string> _batchNormScales;
    private readonly SgdOptions _options;
    private readonly Scalar _one;
    private readonly Scalar _momentum;
    private readonly Scalar _weightDecay;
    private readonly Scalar _slimmingLambda;

    /// <summary>Optimizes the trainable parameters of <paramref name="module"/>, with zero momenta.</summary>
    public SgdMomentum(Vgg16Module module, SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _parameters = module.NamedTrainable();
        _momenta = _parameters.ToDictionary(p => p.Name, p => zeros_like(p.Parameter).detach(), StringComparer.Ordinal);
        _batchNormScales = [.. module.Spec.Parameters.Where(t => t.Role == TensorRole.BatchNormScale).Select(t => t.Name)];
        _one = 1.0.ToScalar();
        _momentum = options.Momentum.ToScalar();
        _weightDecay = options.WeightDecay.ToScalar();
        _slimmingLambda = options.SlimmingLambda.ToScalar();
    }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> from the gradients in the parameters.</summary>
    /// <remarks>
    /// Every <see cref="Scalar"/> handed to libtorch is created here and kept alive until the
    /// update ends: an implicitly converted C# number would be a temporary the garbage collector
    /// may finalize while libtorch still reads it.
    /// </remarks>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using var negativeLr = (-lr).ToScalar();
        foreach (var (name, p) in _parameters)
        {
            using var scope = NewDisposeScope();
            var g = p.grad ?? throw new InvalidOperationException($"no gradient for {name}");
            if (_options.WeightDecay != 0)
            {
                g = g.add(p, alpha: _weightDecay);
            }

            if (_options.SlimmingLambda != 0 && _batchNormScales.Contains(name))
            {
                g = g.add(p.sign(), alpha: _slimmingLambda);
            }

            var v = _momenta[name];
            v.mul_(_momentum).add_(g, alpha: _one);
            p.add_(v, alpha: negativeLr);
        }

        GC.KeepAlive(this);
    }

    /// <summary>Clears the gradients before the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>The momenta by parameter name (copies).</summary>
    public ModelWeights MomentaToWeights() => new(_momenta.Select(kv =>
        KeyValuePair.Create(kv.Key, new WeightTensor([.. kv.Value.shape.Select(d => (int)d)], kv.Value.data<float>().ToArray()))));

    /// <summary>Restores momenta saved by <see cref="MomentaToWeights"/>.</summary>
    public void LoadMomenta(ModelWeights momenta)
    {
        ArgumentNullException.ThrowIfNull(momenta);
        foreach (var (name, v) in _momenta)
        {
            var m = momenta[name];
            using var source = tensor(m.Data, [.. m.Shape.Select(d => (long)d)]);
            v.copy_(source);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var v in _momenta.Values)
        {
            v.Dispose();
        }

        _one.Dispose();
        _momentum.Dispose();
        _weightDecay.Dispose();
        _slimmingLambda.Dispose();
    }
}
