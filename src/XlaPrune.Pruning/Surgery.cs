using XlaPrune.Models;

namespace XlaPrune.Pruning;

/// <summary>
/// Builds the smaller model a plan describes. No masks: pruned channels are removed from every
/// tensor that carries them, so the pruned model's tensors are really smaller.
/// </summary>
public static class Surgery
{
    /// <summary>
    /// The pruned spec and its weights: with <paramref name="reload"/>, sliced from
    /// <paramref name="original"/> (conv out-channels, the next conv's in-channels, BatchNorm γ, β,
    /// running mean and variance, and the first linear layer's input features in NCHW flatten
    /// order); without, freshly initialised from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not match the plan's model.</exception>
    public static (Vgg16Spec Spec, ModelWeights Weights) Apply(PruningPlan plan, ModelWeights original, bool reload, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(original);
        plan.Validate();
        original.Validate(plan.Model);
        var pruned = plan.PrunedModel;
        return (pruned, reload ? Slice(plan, original) : ModelWeights.Initialize(pruned, seed));
    }

    /// <summary>
    /// A copy of <paramref name="original"/> whose pruned channels have γ = β = 0: in eval mode those
    /// channels then output exactly 0 after ReLU, so this model's logits equal the pruned model's.
    /// </summary>
    public static ModelWeights ZeroPrunedBatchNorm(PruningPlan plan, ModelWeights original)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(original);
        var copy = original.Clone();
        foreach (var conv in plan.Model.Convs)
        {
            var kept = plan.Layers[conv.Index].Kept.ToHashSet();
            foreach (var name in new[] { $"{conv.BatchNormName}.weight", $"{conv.BatchNormName}.bias" })
            {
                var data = copy[name].Data;
                for (var c = 0; c < data.Length; c++)
                {
                    if (!kept.Contains(c))
                    {
                        data[c] = 0;
                    }
                }
            }
        }

        return copy;
    }

    private static ModelWeights Slice(PruningPlan plan, ModelWeights original)
    {
        var model = plan.Model;
        var result = new List<KeyValuePair<string, WeightTensor>>();
        IReadOnlyList<int> inKept = [.. Enumerable.Range(0, model.InputChannels)];
        foreach (var conv in model.Convs)
        {
            var outKept = plan.Layers[conv.Index].Kept;
            result.Add(KeyValuePair.Create($"{conv.Name}.weight", SliceConv(original[$"{conv.Name}.weight"], outKept, inKept)));
            foreach (var suffix in new[] { "weight", "bias", "running_mean", "running_var" })
            {
                var name = $"{conv.BatchNormName}.{suffix}";
                var source = original[name].Data;
                result.Add(KeyValuePair.Create(name, new WeightTensor([outKept.Count], [.. outKept.Select(c => source[c])])));
            }

            inKept = outKept;
        }

        // The first linear layer reads the last feature map flattened as NCHW: channel c owns the
        // block of H*W inputs starting at c*H*W.
        var area = model.FinalFeatureSize * model.FinalFeatureSize;
        foreach (var linear in model.Linears)
        {
            var weight = original[$"{linear.Name}.weight"];
            if (linear.Index == 0)
            {
                var columns = inKept.SelectMany(c => Enumerable.Range(c * area, area)).ToArray();
                weight = SliceColumns(weight, columns);
            }

            result.Add(KeyValuePair.Create($"{linear.Name}.weight", weight with { Data = (float[])weight.Data.Clone() }));
            var bias = original[$"{linear.Name}.bias"];
            result.Add(KeyValuePair.Create($"{linear.Name}.bias", bias with { Data = (float[])bias.Data.Clone() }));
        }

        return new ModelWeights(result);
    }

    private static WeightTensor SliceConv(WeightTensor w, IReadOnlyList<int> outKept, IReadOnlyList<int> inKept)
    {
        int inAll = w.Shape[1], taps = w.Shape[2] * w.Shape[3];
        var data = new float[outKept.Count * inKept.Count * taps];
        var k = 0;
        foreach (var o in outKept)
        {
            foreach (var i in inKept)
            {
                Array.Copy(w.Data, ((o * inAll) + i) * taps, data, k, taps);
                k += taps;
            }
        }

        return new WeightTensor([outKept.Count, inKept.Count, w.Shape[2], w.Shape[3]], data);
    }

    private static WeightTensor SliceColumns(WeightTensor w, int[] columns)
    {
        int rows = w.Shape[0], cols = w.Shape[1];
        var data = new float[rows * columns.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < columns.Length; j++)
            {
                data[(r * columns.Length) + j] = w.Data[(r * cols) + columns[j]];
            }
        }

        return new WeightTensor([rows, columns.Length], data);
    }
}
