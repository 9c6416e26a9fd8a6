using TorchSharp;
using TorchSharp.Modules;
using XlaPrune.Models;
using static TorchSharp.torch;

namespace XlaPrune.Torch;

/// <summary>
/// VGG-16 with BatchNorm as a TorchSharp module, built from a <see cref="Vgg16Spec"/>. Submodules
/// are named as the spec names tensors (conv1, bn1, ..., fc1), so <c>state_dict</c> keys equal the
/// spec's tensor names and weights move between TorchSharp, HLO programs and checkpoints by name.
/// </summary>
public sealed class Vgg16Module : nn.Module<Tensor, Tensor>
{
    private readonly Vgg16Spec _spec;
    private readonly List<(Conv2d Conv, BatchNormLayer Bn, bool Pool)> _features = [];
    private readonly List<(Linear Linear, LinearLayerSpec Spec)> _classifier = [];

    /// <summary>Builds the module; its initial weights are TorchSharp's defaults until <see cref="LoadWeights"/>.</summary>
    public Vgg16Module(Vgg16Spec spec)
        : base("vgg16")
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        foreach (var c in spec.Convs)
        {
            var conv = nn.Conv2d(c.InChannels, c.OutChannels, kernel_size: ConvLayerSpec.KernelSize, padding: 1, bias: false);
            var bn = new BatchNormLayer(c.OutChannels);
            register_module(c.Name, conv);
            register_module(c.BatchNormName, bn);
            _features.Add((conv, bn, c.MaxPoolAfter));
        }

        foreach (var l in spec.Linears)
        {
            var linear = nn.Linear(l.InFeatures, l.OutFeatures);
            register_module(l.Name, linear);
            _classifier.Add((linear, l));
        }
    }

    /// <summary>The spec this module was built from.</summary>
    public Vgg16Spec Spec => _spec;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var (conv, bn, pool) in _features)
        {
            x = nn.functional.relu(bn.forward(conv.forward(x)));
            if (pool)
            {
                x = nn.functional.max_pool2d(x, 2, 2);
            }
        }

        x = x.flatten(1);
        foreach (var (linear, spec) in _classifier)
        {
            x = linear.forward(x);
            if (spec.ReluAfter)
            {
                x = nn.functional.relu(x);
            }

            if (spec.DropoutAfter > 0)
            {
                x = nn.functional.dropout(x, spec.DropoutAfter, training);
            }
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Copies <paramref name="weights"/> (all parameters and BatchNorm statistics of the spec) into the module.</summary>
    /// <exception cref="ArgumentException">The weights do not match the spec.</exception>
    public void LoadWeights(ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate(_spec);
        var state = state_dict();
        using var noGrad = no_grad();
        foreach (var t in _spec.Parameters.Concat(_spec.BatchNormStats))
        {
            var w = weights[t.Name];
            using var source = tensor(w.Data, [.. w.Shape.Select(d => (long)d)]);
            state[t.Name].copy_(source);
        }
    }

    /// <summary>The module's parameters and BatchNorm statistics by spec name (copies).</summary>
    public ModelWeights ToWeights()
    {
        var state = state_dict();
        return new ModelWeights(_spec.Parameters.Concat(_spec.BatchNormStats).Select(t =>
            KeyValuePair.Create(t.Name, new WeightTensor(t.Shape, state[t.Name].detach().cpu().data<float>().ToArray()))));
    }

    /// <summary>Trainable parameters by spec name, in the spec's canonical order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedTrainable()
    {
        var byName = named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        return [.. _spec.Parameters.Select(t => (t.Name, byName[t.Name]))];
    }
}
