namespace XlaPrune.Models.Tests;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Spec_weights_momenta_and_epochs_round_trip_exactly()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 4, width: 1.0 / 32);
        var weights = ModelWeights.Initialize(spec, 7);
        var momenta = new ModelWeights(spec.Parameters.Select(p =>
            KeyValuePair.Create(p.Name, new WeightTensor(p.Shape, [.. Enumerable.Range(0, p.Shape.Aggregate(1, (a, d) => a * d)).Select(i => i * 0.5f)]))));
        var path = Path.Combine(_dir, "run.safetensors");

        TrainingCheckpoint.Save(path, spec, weights, momenta, 12);
        var (savedSpec, savedWeights, savedMomenta, epochs) = TrainingCheckpoint.Load(path);

        Assert.Equal(spec, savedSpec);
        Assert.Equal(12, epochs);
        Assert.Equal(weights.Names.Order(StringComparer.Ordinal), savedWeights.Names.Order(StringComparer.Ordinal));
        foreach (var name in weights.Names)
        {
            Assert.Equal(weights[name].Data, savedWeights[name].Data);
            Assert.Equal(weights[name].Shape, savedWeights[name].Shape);
        }

        Assert.NotNull(savedMomenta);
        Assert.Equal(momenta["conv2.weight"].Data, savedMomenta["conv2.weight"].Data);
        Assert.Equal("xlaprune-checkpoint-1", Checkpoint.Load(path).Metadata["format"]);
        Assert.Contains("momentum.conv2.weight", Checkpoint.Load(path).Tensors.Keys);
    }

    [Fact]
    public void A_plain_safetensors_file_without_a_spec_is_refused_by_name()
    {
        var path = Path.Combine(_dir, "plain.safetensors");
        Checkpoint.Save(path, [KeyValuePair.Create("x", new WeightTensor([1], [1f]))], new Dictionary<string, string>());

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));

        Assert.Equal($"{path}: not an XlaPrune checkpoint: no model spec in its metadata", e.Message);
    }

    [Fact]
    public void Truncated_checkpoint_names_file_and_offset()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, width: 1.0 / 32);
        var path = Path.Combine(_dir, "cut.safetensors");
        TrainingCheckpoint.Save(path, spec, ModelWeights.Initialize(spec, 1), null, 1);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));

        Assert.Contains($"but the file ends at byte offset {bytes.Length - 10}", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}: tensor ", e.Message, StringComparison.Ordinal);
    }
}
