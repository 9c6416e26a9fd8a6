using System.Text.Json;
using System.Text.Json.Serialization;

namespace XlaPrune.Study;

/// <summary>Step-time percentiles in milliseconds.</summary>
public sealed record StepTimes(double Median, double P10, double P90)
{
    /// <summary>Median, 10th and 90th percentile (linear interpolation between order statistics).</summary>
    public static StepTimes From(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("no step times to summarise");
        }

        var sorted = samples.Order().ToArray();
        return new StepTimes(Percentile(sorted, 0.5), Percentile(sorted, 0.1), Percentile(sorted, 0.9));
    }

    /// <summary>The p-quantile of sorted values, interpolating between neighbours.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var position = p * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}

/// <summary>Compiled memory statistics of a train step, in bytes.</summary>
public sealed record MemoryFigures(long ArgumentBytes, long OutputBytes, long TempBytes, long AliasBytes, long PeakBytes);

/// <summary>The plugin a measurement ran on.</summary>
public sealed record PluginIdentity(string PlatformName, string PlatformVersion);

/// <summary>What profiling one train step found; JSON keys are the documented contract of <c>xlaprune profile</c>.</summary>
public sealed record ProfileResult(PluginIdentity Plugin, double CompileMs, StepTimes StepMs, double Flops, MemoryFigures Memory, int Batch, int Steps, int Warmup);

/// <summary>One cell of the study: a method at a ratio with a seed.</summary>
public sealed record CellResult
{
    /// <summary>e.g. <c>slimming-reload</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Requested pruned ratio.</summary>
    public required double Ratio { get; init; }

    /// <summary>Seed of training and initialisation.</summary>
    public required int Seed { get; init; }

    /// <summary>Fraction of conv channels actually removed.</summary>
    public required double AchievedRatio { get; init; }

    /// <summary>Kept channels per convolution.</summary>
    public required IReadOnlyList<int> ConvChannels { get; init; }

    /// <summary>Test accuracy after retraining.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Trainable parameters of the pruned model.</summary>
    public required long Params { get; init; }

    /// <summary>Forward FLOPs per image (2 x MACs).</summary>
    public required long Flops { get; init; }

    /// <summary>Step time of the pruned train step on the plugin, or null when not profiled.</summary>
    public StepTimes? StepMs { get; init; }

    /// <summary>Compiled memory of the train step on the plugin, or null when not profiled.</summary>
    public MemoryFigures? CompiledMemory { get; init; }

    /// <summary>Train-step bytes without padding (layout model).</summary>
    public required long LogicalBytes { get; init; }

    /// <summary>Train-step bytes with TPU tile padding, every tensor in its preferred candidate layout (layout model).</summary>
    public required long TpuPaddedBytes { get; init; }

    /// <summary>The same with every tensor in its candidate of fewest padded bytes (null in results written before ranges).</summary>
    public long? TpuPaddedBytesMin { get; init; }

    /// <summary>The same with every tensor in its candidate of most padded bytes (null in results written before ranges).</summary>
    public long? TpuPaddedBytesMax { get; init; }

    /// <summary>Seconds spent training this cell.</summary>
    public double TrainSeconds { get; init; }

    /// <summary>
    /// The train step compiled for the study's topology without a client (memory statistics as the compiler reports
    /// them, padded bytes under its layouts), or null when the study names no topology.
    /// </summary>
    public TopologyCompileResult? CompiledForTopology { get; init; }
}

/// <summary>JSON settings for study files (snake_case keys).</summary>
public static class StudyJson
{
    /// <summary>Options used for every study JSON file.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
