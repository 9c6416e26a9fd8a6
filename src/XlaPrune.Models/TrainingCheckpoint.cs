using System.Globalization;

namespace XlaPrune.Models;

/// <summary>
/// A model's training state as one checkpoint file: its spec (JSON in the safetensors metadata),
/// parameters and BatchNorm statistics, SGD momenta if any, and the epochs done. Every trainer
/// (TorchSharp, PJRT) and every command (prune, eval, train) reads and writes this one format.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>Tensor names of momenta in the file: this prefix, then the parameter's name.</summary>
    public const string MomentumPrefix = "momentum.";

    /// <summary>The value of the <c>format</c> metadata key.</summary>
    public const string Format = "xlaprune-checkpoint-1";

    /// <summary>Writes weights, momenta and progress atomically (safetensors, spec JSON in the metadata).</summary>
    public static void Save(string path, Vgg16Spec spec, ModelWeights weights, ModelWeights? momenta, int epochsDone)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        var tensors = weights.Names.Select(n => KeyValuePair.Create(n, weights[n]));
        if (momenta is not null)
        {
            tensors = tensors.Concat(momenta.Names.Select(n => KeyValuePair.Create(MomentumPrefix + n, momenta[n])));
        }

        Checkpoint.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["spec"] = spec.ToJson(),
            ["epochs_done"] = epochsDone.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads a checkpoint: its spec, weights (checked against the spec), momenta if present, epochs done.</summary>
    /// <exception cref="InvalidDataException">Not an XlaPrune checkpoint, or its tensors do not match its spec.</exception>
    public static (Vgg16Spec Spec, ModelWeights Weights, ModelWeights? Momenta, int EpochsDone) Load(string path)
    {
        var (tensors, metadata) = Checkpoint.Load(path);
        if (!metadata.TryGetValue("spec", out var specJson))
        {
            throw new InvalidDataException($"{path}: not an XlaPrune checkpoint: no model spec in its metadata");
        }

        Vgg16Spec spec;
        try
        {
            spec = Vgg16Spec.FromJson(specJson);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        var weights = new ModelWeights(tensors.Where(kv => !kv.Key.StartsWith(MomentumPrefix, StringComparison.Ordinal)));
        try
        {
            weights.Validate(spec);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        var momentumEntries = tensors.Where(kv => kv.Key.StartsWith(MomentumPrefix, StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key[MomentumPrefix.Length..], kv.Value)).ToList();
        var epochs = metadata.TryGetValue("epochs_done", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return (spec, weights, momentumEntries.Count > 0 ? new ModelWeights(momentumEntries) : null, epochs);
    }
}
