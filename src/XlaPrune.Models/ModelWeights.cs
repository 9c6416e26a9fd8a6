using System.Globalization;

namespace XlaPrune.Models;

/// <summary>One tensor's values, row-major, with its shape.</summary>
/// <param name="Shape">Dimensions, major to minor.</param>
/// <param name="Data">Values in row-major order; its length is the product of <paramref name="Shape"/>.</param>
public sealed record WeightTensor(IReadOnlyList<int> Shape, float[] Data)
{
    /// <summary>A zero-filled tensor.</summary>
    public static WeightTensor Zeros(IReadOnlyList<int> shape) => new(shape, new float[shape.Aggregate(1, (a, d) => checked(a * d))]);

    /// <summary>Shape as text, e.g. <c>[64, 3, 3, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}

/// <summary>
/// A model's tensors by name (<c>conv1.weight</c>, <c>bn1.running_var</c>, ...): what a checkpoint
/// holds, what a TorchSharp module and an HLO train step exchange, and what pruning slices.
/// </summary>
public sealed class ModelWeights
{
    private readonly Dictionary<string, WeightTensor> _tensors;

    /// <summary>Wraps the given tensors (not copied).</summary>
    public ModelWeights(IEnumerable<KeyValuePair<string, WeightTensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = new Dictionary<string, WeightTensor>(tensors, StringComparer.Ordinal);
    }

    /// <summary>Names present.</summary>
    public IEnumerable<string> Names => _tensors.Keys;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public WeightTensor this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no tensor named '{name}'");

    /// <summary>Whether a tensor of that name is present.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>A deep copy.</summary>
    public ModelWeights Clone() => new(_tensors.Select(kv => KeyValuePair.Create(kv.Key, kv.Value with { Data = (float[])kv.Value.Data.Clone() })));

    /// <summary>
    /// Checks that every parameter and BatchNorm statistic of <paramref name="spec"/> is present with
    /// its exact shape and that nothing else is.
    /// </summary>
    /// <exception cref="ArgumentException">The first mismatch, naming the tensor and both shapes.</exception>
    public void Validate(Vgg16Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var expected = spec.Parameters.Concat(spec.BatchNormStats).ToList();
        foreach (var t in expected)
        {
            if (!_tensors.TryGetValue(t.Name, out var actual))
            {
                throw new ArgumentException($"weights do not match {spec.Describe()}: {t.Name} is missing");
            }

            if (!actual.Shape.SequenceEqual(t.Shape))
            {
                throw new ArgumentException(
                    $"weights do not match {spec.Describe()}: {t.Name} has shape {actual.ShapeText}, the model needs [{string.Join(", ", t.Shape)}]");
            }

            if (actual.Data.Length != t.ElementCount)
            {
                throw new ArgumentException($"weights do not match {spec.Describe()}: {t.Name} holds {actual.Data.Length} values for shape {actual.ShapeText}");
            }
        }

        var extra = _tensors.Keys.Except(expected.Select(t => t.Name), StringComparer.Ordinal).Order(StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null)
        {
            throw new ArgumentException($"weights do not match {spec.Describe()}: unexpected tensor {extra}");
        }
    }

    /// <summary>
    /// Fresh weights for <paramref name="spec"/>, deterministic in <paramref name="seed"/>: conv weights
    /// Kaiming-normal with fan-out (as torchvision's VGG), BatchNorm γ = 1 and β = 0, running mean 0 and
    /// variance 1, linear weights normal(0, 0.01) and biases 0.
    /// </summary>
    public static ModelWeights Initialize(Vgg16Spec spec, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new Random(seed);
        var tensors = new List<KeyValuePair<string, WeightTensor>>();
        foreach (var t in spec.Parameters.Concat(spec.BatchNormStats))
        {
            var w = WeightTensor.Zeros(t.Shape);
            switch (t.Role)
            {
                case TensorRole.ConvWeight:
                    FillNormal(random, w.Data, Math.Sqrt(2.0 / (t.Shape[0] * t.Shape[2] * t.Shape[3])));
                    break;
                case TensorRole.LinearWeight:
                    FillNormal(random, w.Data, 0.01);
                    break;
                case TensorRole.BatchNormScale or TensorRole.BatchNormRunningVar:
                    Array.Fill(w.Data, 1f);
                    break;
                default:
                    break;
            }

            tensors.Add(KeyValuePair.Create(t.Name, w));
        }

        return new ModelWeights(tensors);
    }

    private static void FillNormal(Random random, float[] data, double std)
    {
        for (var i = 0; i < data.Length; i++)
        {
            // Box-Muller: two uniforms give one standard normal.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            data[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }
}
