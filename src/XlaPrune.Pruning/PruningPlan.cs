using System.Text.Json;
using System.Text.Json.Serialization;
using XlaPrune.Models;

namespace XlaPrune.Pruning;

/// <summary>The channels one convolution keeps.</summary>
/// <param name="Name">Convolution name, e.g. <c>conv3</c>.</param>
/// <param name="Original">Its channel count in the original model.</param>
/// <param name="Kept">Indices of the kept output channels, ascending.</param>
public sealed record LayerPlan(string Name, int Original, IReadOnlyList<int> Kept);

/// <summary>
/// Which channels each convolution keeps, and how that was decided. Re-applying a plan to the
/// original weights gives the same pruned weights (plans are a pruning history, not masks).
/// </summary>
/// <param name="Model">The original (unpruned) model.</param>
/// <param name="Method">Importance criterion, e.g. <c>slimming</c> or <c>l1</c>.</param>
/// <param name="Ratio">Requested fraction of convolution channels to remove.</param>
/// <param name="SourceCheckpoint">Checkpoint the importance was computed from (may be empty).</param>
/// <param name="Layers">One entry per convolution, in order.</param>
public sealed record PruningPlan(Vgg16Spec Model, string Method, double Ratio, string SourceCheckpoint, IReadOnlyList<LayerPlan> Layers)
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>The pruned model.</summary>
    public Vgg16Spec PrunedModel => Model.WithConvChannels([.. Layers.Select(l => l.Kept.Count)]);

    /// <summary>Fraction of convolution channels actually removed.</summary>
    public double AchievedRatio => 1.0 - ((double)Layers.Sum(l => l.Kept.Count) / Layers.Sum(l => l.Original));

    /// <summary>Plan as JSON: model, method, ratio, achieved_ratio, source_checkpoint, layers[name, original, kept].</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new PlanJson(JsonDocument.Parse(Model.ToJson()).RootElement, Method, Ratio, AchievedRatio, SourceCheckpoint,
            [.. Layers.Select(l => new LayerJson(l.Name, l.Original, [.. l.Kept]))]),
        s_json);

    /// <summary>Reads a plan written by <see cref="ToJson"/>, checking it is consistent.</summary>
    /// <exception cref="FormatException">Not a plan, or indices out of range.</exception>
    public static PruningPlan FromJson(string json)
    {
        PlanJson? dto;
        try
        {
            dto = JsonSerializer.Deserialize<PlanJson>(json, s_json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a pruning plan: {e.Message}", e);
        }

        if (dto?.Layers is null || dto.Method is null || dto.Model.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("not a pruning plan: model, method or layers is missing");
        }

        var model = Vgg16Spec.FromJson(dto.Model.GetRawText());
        var layers = dto.Layers.Select(l => new LayerPlan(l.Name ?? "", l.Original, l.Kept ?? [])).ToList();
        var plan = new PruningPlan(model, dto.Method, dto.Ratio, dto.SourceCheckpoint ?? "", layers);
        plan.Validate();
        return plan;
    }

    /// <summary>Checks layer names, counts and indices against the model.</summary>
    /// <exception cref="FormatException">The first inconsistency.</exception>
    public void Validate()
    {
        if (Layers.Count != Model.Convs.Count)
        {
            throw new FormatException($"pruning plan has {Layers.Count} layers, {Model.Describe()} has {Model.Convs.Count} convolutions");
        }

        for (var i = 0; i < Layers.Count; i++)
        {
            var (layer, conv) = (Layers[i], Model.Convs[i]);
            if (layer.Name != conv.Name || layer.Original != conv.OutChannels)
            {
                throw new FormatException($"pruning plan layer {i} is {layer.Name} with {layer.Original} channels, the model has {conv.Name} with {conv.OutChannels}");
            }

            if (layer.Kept.Count == 0)
            {
                throw new FormatException($"pruning plan empties {layer.Name}");
            }

            for (var k = 0; k < layer.Kept.Count; k++)
            {
                if (layer.Kept[k] < 0 || layer.Kept[k] >= layer.Original || (k > 0 && layer.Kept[k] <= layer.Kept[k - 1]))
                {
                    throw new FormatException($"pruning plan {layer.Name}: kept indices must be ascending and in [0, {layer.Original}), found {layer.Kept[k]}");
                }
            }
        }
    }

    /// <summary>Checks the plan was made for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">It was made for another model.</exception>
    public void EnsureFor(Vgg16Spec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Model.Equals(model))
        {
            throw new ArgumentException($"pruning plan is for {Model.Describe()}, not {model.Describe()}");
        }
    }

    private sealed record LayerJson(string? Name, int Original, int[]? Kept);

    private sealed record PlanJson(
        JsonElement Model, string? Method, double Ratio, double AchievedRatio, string? SourceCheckpoint,
        [property: JsonPropertyName("layers")] LayerJson[]? Layers);
}
