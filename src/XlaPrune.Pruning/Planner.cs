using System.Globalization;
using XlaPrune.Models;

namespace XlaPrune.Pruning;

/// <summary>How kept channel counts are rounded to a multiple.</summary>
public enum RoundingMode
{
    /// <summary>Down to a multiple (more pruning than asked), but never below the floor.</summary>
    Down,

    /// <summary>To the nearest multiple, ties up.</summary>
    Nearest,
}

/// <summary>Where a plan's ratio applies.</summary>
public enum PlanScope
{
    /// <summary>One threshold across all layers: the globally lowest scores go (Network Slimming).</summary>
    Global,

    /// <summary>The same ratio in every layer, lowest scores of each layer first (Li et al.).</summary>
    PerLayer,
}

/// <summary>Chooses a layer's kept channel count after floors and rounding, e.g. to suit TPU tiles.</summary>
public interface IKeptCountRounding
{
    /// <summary>The count to keep for <paramref name="layer"/>, given <paramref name="kept"/> so far (result is clamped to [floor, original]).</summary>
    int Round(ConvLayerSpec layer, int kept);
}

/// <summary>What a plan should achieve.</summary>
public sealed record PlanOptions
{
    /// <summary>Fraction of all convolution channels to remove, in [0, 1): one global threshold across layers (the paper).</summary>
    public double Ratio { get; init; }

    /// <summary>Whether <see cref="Ratio"/> is one global threshold or the ratio of every layer; global by default.</summary>
    public PlanScope Scope { get; init; } = PlanScope.Global;

    /// <summary>Per-convolution fractions instead of <see cref="Ratio"/> (13 entries), or null.</summary>
    public IReadOnlyList<double>? LayerRatios { get; init; }

    /// <summary>Every layer keeps at least this fraction of its channels (rounded up); 0.1 by default.</summary>
    public double FloorFraction { get; init; } = 0.1;

    /// <summary>Every layer keeps at least this many channels (never empty a layer).</summary>
    public int MinChannels { get; init; } = 1;

    /// <summary>Round kept counts to a multiple of this (1: no rounding).</summary>
    public int RoundTo { get; init; } = 1;

    /// <summary>Direction of <see cref="RoundTo"/> rounding.</summary>
    public RoundingMode Rounding { get; init; } = RoundingMode.Down;

    /// <summary>A last rounding step (e.g. tile-aware), or null.</summary>
    public IKeptCountRounding? CustomRounding { get; init; }
}

/// <summary>Turns channel scores into a <see cref="PruningPlan"/>.</summary>
public static class Planner
{
    /// <summary>
    /// The model with <paramref name="ratio"/> of every conv's channels removed (kept = round(c·(1 − ratio)), at least
    /// one): a plan that needs no weights, for layout and profile what-ifs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> outside [0, 1).</exception>
    public static Vgg16Spec Uniform(Vgg16Spec spec, double ratio)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!(ratio >= 0 && ratio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio must be in [0, 1)");
        }

        return spec.WithConvChannels([.. spec.ConvChannels.Select(c => Math.Max(1, (int)Math.Round(c * (1 - ratio), MidpointRounding.AwayFromZero)))]);
    }

    /// <summary>Plans which channels to keep in <paramref name="spec"/> from <paramref name="weights"/>.</summary>
    /// <exception cref="ArgumentException">Ratios outside [0, 1), bad options, or weights that do not match the spec.</exception>
    public static PruningPlan Plan(Vgg16Spec spec, ModelWeights weights, IChannelImportance importance, PlanOptions options, string sourceCheckpoint = "")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(spec, options);
        weights.Validate(spec);

        var scores = importance.Score(spec, weights);
        var layerRatios = options.LayerRatios ?? (options.Scope == PlanScope.PerLayer ? [.. spec.Convs.Select(_ => options.Ratio)] : null);
        var kept = layerRatios is null
            ? GlobalKeptCounts(spec, scores, options.Ratio)
            : [.. spec.Convs.Select(c => c.OutChannels - (int)Math.Round(layerRatios[c.Index] * c.OutChannels, MidpointRounding.AwayFromZero))];

        var layers = new LayerPlan[spec.Convs.Count];
        foreach (var conv in spec.Convs)
        {
            var count = AdjustCount(conv, kept[conv.Index], options);
            layers[conv.Index] = new LayerPlan(conv.Name, conv.OutChannels, TopChannels(scores[conv.Index], count));
        }

        return new PruningPlan(spec, importance.Name, options.LayerRatios is null ? options.Ratio : options.LayerRatios.Average(), sourceCheckpoint, layers);
    }

    /// <summary>The smallest count a layer may keep under <paramref name="options"/>.</summary>
    public static int Floor(ConvLayerSpec conv, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(options);
        return Math.Min(conv.OutChannels, Math.Max(Math.Max(1, options.MinChannels), (int)Math.Ceiling(options.FloorFraction * conv.OutChannels - 1e-9)));
    }

    private static void CheckOptions(Vgg16Spec spec, PlanOptions options)
    {
        static void CheckRatio(double r, string what)
        {
            if (!(r >= 0 && r < 1))
            {
                throw new ArgumentException($"{what} must be in [0, 1), got {r.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        CheckRatio(options.Ratio, "ratio");
        if (options.LayerRatios is not null)
        {
            if (options.LayerRatios.Count != spec.Convs.Count)
            {
                throw new ArgumentException($"layer ratios must have {spec.Convs.Count} entries, got {options.LayerRatios.Count}");
            }

            for (var i = 0; i < options.LayerRatios.Count; i++)
            {
                CheckRatio(options.LayerRatios[i], $"ratio of conv{i + 1}");
            }
        }

        if (!(options.FloorFraction >= 0 && options.FloorFraction <= 1))
        {
            throw new ArgumentException($"floor must be in [0, 1], got {options.FloorFraction.ToString(CultureInfo.InvariantCulture)}");
        }

        if (options.RoundTo < 1)
        {
            throw new ArgumentException($"round-to must be at least 1, got {options.RoundTo}");
        }
    }

    // One threshold across all layers: remove the globally lowest-scoring channels.
    private static int[] GlobalKeptCounts(Vgg16Spec spec, IReadOnlyList<float[]> scores, double ratio)
    {
        var all = new List<(float Score, int Layer, int Channel)>();
        for (var l = 0; l < scores.Count; l++)
        {
            for (var c = 0; c < scores[l].Length; c++)
            {
                all.Add((scores[l][c], l, c));
            }
        }

        var toRemove = (int)Math.Round(ratio * all.Count, MidpointRounding.AwayFromZero);
        all.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Layer != b.Layer ? a.Layer.CompareTo(b.Layer) : a.Channel.CompareTo(b.Channel));
        var kept = spec.Convs.Select(c => c.OutChannels).ToArray();
        for (var i = 0; i < toRemove; i++)
        {
            kept[all[i].Layer]--;
        }

        return kept;
    }

    private static int AdjustCount(ConvLayerSpec conv, int kept, PlanOptions options)
    {
        var floor = Floor(conv, options);
        kept = Math.Clamp(kept, floor, conv.OutChannels);
        if (options.RoundTo > 1)
        {
            var m = options.RoundTo;
            var rounded = options.Rounding == RoundingMode.Down ? kept / m * m : (kept + (m / 2)) / m * m;
            if (rounded < floor)
            {
                rounded = (floor + m - 1) / m * m; // next multiple at or above the floor
            }

            kept = Math.Min(rounded, conv.OutChannels);
        }

        if (options.CustomRounding is not null)
        {
            kept = Math.Clamp(options.CustomRounding.Round(conv, kept), floor, conv.OutChannels);
        }

        return kept;
    }

    // The highest-scoring channels, ties to the lower index, returned in ascending index order.
    private static int[] TopChannels(float[] scores, int count) =>
        [.. Enumerable.Range(0, scores.Length).OrderByDescending(c => scores[c]).ThenBy(c => c).Take(count).Order()];
}
