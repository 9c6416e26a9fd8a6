using XlaPrune.Models;
using XlaPrune.Pruning;
using XlaPrune.Torch.Data;

namespace XlaPrune.Export.Tests;

/// <summary>Models with non-trivial weights and BatchNorm statistics, and real Fashion-MNIST images.</summary>
internal static class ExportFixtures
{
    /// <summary>
    /// A spec's seeded initial weights with every BatchNorm tensor and the classifier drawn at random too
    /// (γ in [0.5, 1.5], β and mean in [-0.2, 0.2], variance in [0.5, 1.5], linear weights with variance
    /// 1/fan-in), so that folding and pruning change the numbers and logits are of order one.
    /// </summary>
    public static ModelWeights Weights(Vgg16Spec spec, int seed)
    {
        var weights = ModelWeights.Initialize(spec, seed);
        var random = new Random(seed + 1);
        foreach (var t in spec.Parameters.Concat(spec.BatchNormStats))
        {
            var data = weights[t.Name].Data;
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = t.Role switch
                {
                    TensorRole.BatchNormScale or TensorRole.BatchNormRunningVar => (float)(0.5 + random.NextDouble()),
                    TensorRole.BatchNormBias or TensorRole.BatchNormRunningMean or TensorRole.LinearBias => (float)((random.NextDouble() - 0.5) * 0.4),
                    TensorRole.LinearWeight => (float)((random.NextDouble() - 0.5) * Math.Sqrt(12.0 / t.Shape[1])),
                    _ => data[i],
                };
            }
        }

        return weights;
    }

    /// <summary>The model pruned by BatchNorm scale at <paramref name="ratio"/>, surviving weights reloaded.</summary>
    public static (Vgg16Spec Spec, ModelWeights Weights) Pruned(Vgg16Spec spec, ModelWeights weights, double ratio)
    {
        var plan = Planner.Plan(spec, weights, ChannelImportance.ByName("slimming"), new PlanOptions { Ratio = ratio });
        return Surgery.Apply(plan, weights, reload: true);
    }

    /// <summary>
    /// The first <paramref name="count"/> Fashion-MNIST test images, normalised, 1x32x32 (the loader's
    /// padding), upsampled by pixel repetition to <paramref name="size"/> when the model needs more.
    /// </summary>
    public static float[] Images(int count, int size)
    {
        var data = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: count);
        if (size == data.Size)
        {
            return data.Images;
        }

        var factor = size / data.Size;
        var images = new float[count * size * size];
        for (var n = 0; n < count; n++)
        {
            for (var r = 0; r < size; r++)
            {
                for (var c = 0; c < size; c++)
                {
                    images[(n * size * size) + (r * size) + c] = data.Images[(n * data.Size * data.Size) + (r / factor * data.Size) + (c / factor)];
                }
            }
        }

        return images;
    }
}
