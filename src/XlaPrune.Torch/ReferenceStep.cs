using XlaPrune.Models;
using static TorchSharp.torch;

namespace XlaPrune.Torch;

/// <summary>Everything one training step produced, by tensor name.</summary>
/// <param name="Loss">Mean cross-entropy of the batch before the update.</param>
/// <param name="Gradients">∂loss/∂parameter for every trainable tensor (before weight decay or sparsity terms).</param>
/// <param name="Weights">Parameters and BatchNorm statistics after the step.</param>
/// <param name="Momenta">Momentum buffers after the step.</param>
public sealed record StepResult(double Loss, ModelWeights Gradients, ModelWeights Weights, ModelWeights Momenta);

/// <summary>One TorchSharp training step from given weights: the numerical reference for the HLO train step.</summary>
public static class ReferenceStep
{
    /// <summary>
    /// Runs forward (train-mode BatchNorm), cross-entropy, backward and one SGD-momentum update on
    /// <paramref name="images"/> (NCHW) and <paramref name="labels"/>, starting from
    /// <paramref name="weights"/> and <paramref name="momenta"/> (zero when null).
    /// </summary>
    public static StepResult Run(Vgg16Spec spec, ModelWeights weights, ModelWeights? momenta, float[] images, int[] labels, double lr, SgdOptions sgdOptions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        using var module = new Vgg16Module(spec);
        module.LoadWeights(weights);
        module.train();
        using var sgd = new SgdMomentum(module, sgdOptions);
        if (momenta is not null)
        {
            sgd.LoadMomenta(momenta);
        }

        using var scope = NewDisposeScope();
        var x = tensor(images, [labels.Length, spec.InputChannels, spec.ImageSize, spec.ImageSize]);
        var y = tensor(labels.Select(l => (long)l).ToArray());
        sgd.ZeroGrad();
        var loss = nn.functional.cross_entropy(module.forward(x), y);
        loss.backward();
        var gradients = new ModelWeights(module.NamedTrainable().Select(p =>
            KeyValuePair.Create(p.Name, new WeightTensor([.. p.Parameter.shape.Select(d => (int)d)], p.Parameter.grad!.data<float>().ToArray()))));
        sgd.Step(lr);
        return new StepResult(loss.item<float>(), gradients, module.ToWeights(), sgd.MomentaToWeights());
    }
}
