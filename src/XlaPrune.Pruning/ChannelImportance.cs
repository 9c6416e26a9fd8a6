using XlaPrune.Models;

namespace XlaPrune.Pruning;

/// <summary>Scores every output channel of every convolution; higher means more worth keeping.</summary>
public interface IChannelImportance
{
    /// <summary>Short name used in plans and on the command line, e.g. <c>slimming</c>.</summary>
    string Name { get; }

    /// <summary>One array per convolution (in spec order) with one score per output channel.</summary>
    IReadOnlyList<float[]> Score(Vgg16Spec spec, ModelWeights weights);
}

/// <summary>Network Slimming (Liu et al. 2017): |γ| of the BatchNorm after each convolution.</summary>
public sealed class BatchNormScaleImportance : IChannelImportance
{
    /// <inheritdoc/>
    public string Name => "slimming";

    /// <inheritdoc/>
    public IReadOnlyList<float[]> Score(Vgg16Spec spec, ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        return [.. spec.Convs.Select(c => weights[$"{c.BatchNormName}.weight"].Data.Select(MathF.Abs).ToArray())];
    }
}

/// <summary>Li et al. 2017: the L1 norm of each filter (all its input channels and taps).</summary>
public sealed class FilterL1Importance : IChannelImportance
{
    /// <inheritdoc/>
    public string Name => "l1";

    /// <inheritdoc/>
    public IReadOnlyList<float[]> Score(Vgg16Spec spec, ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        return [.. spec.Convs.Select(c =>
        {
            var w = weights[$"{c.Name}.weight"].Data;
            var perFilter = w.Length / c.OutChannels;
            var scores = new float[c.OutChannels];
            for (var o = 0; o < c.OutChannels; o++)
            {
                double sum = 0;
                for (var i = 0; i < perFilter; i++)
                {
                    sum += Math.Abs(w[(o * perFilter) + i]);
                }

                scores[o] = (float)sum;
            }

            return scores;
        })];
    }
}

/// <summary>The importance criteria known by name; add more by implementing <see cref="IChannelImportance"/>.</summary>
public static class ChannelImportance
{
    /// <summary>Names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["slimming", "l1"];

    /// <summary>The criterion called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static IChannelImportance ByName(string name) => name switch
    {
        "slimming" => new BatchNormScaleImportance(),
        "l1" => new FilterL1Importance(),
        _ => throw new ArgumentException($"unknown importance method '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
