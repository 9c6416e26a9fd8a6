using TorchSharp.PyBridge;
using XlaPrune.Models;
using XlaPrune.Torch;
using static TorchSharp.torch;

namespace XlaPrune.Export.Tests;

/// <summary>
/// Our safetensors checkpoints are read by TorchSharp.PyBridge (the path PyTorch users' files take into
/// .NET) with the same names, shapes and values, and a file PyBridge writes is read by our loader.
/// </summary>
public sealed class PyBridgeCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-pybridge-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PyBridge_reads_our_checkpoint_tensor_for_tensor()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125);
        var weights = ExportFixtures.Weights(spec, seed: 3);
        var path = Path.Combine(_dir, "ours.safetensors");
        Checkpoint.Save(path, weights.Names.Select(n => KeyValuePair.Create(n, weights[n])), new Dictionary<string, string> { ["spec"] = spec.ToJson() });

        var state = Safetensors.LoadStateDict(path);
        try
        {
            Assert.Equal(weights.Names.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
            foreach (var name in weights.Names)
            {
                Assert.Equal(weights[name].Shape.Select(d => (long)d), state[name].shape);
                Assert.Equal(ScalarType.Float32, state[name].dtype);
                Assert.Equal(weights[name].Data, state[name].data<float>().ToArray());
            }
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void PyBridge_loads_our_checkpoint_into_the_module_by_state_dict_names()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125).WithConvChannels([3, 5, 8, 8, 16, 16, 7, 32, 32, 9, 32, 32, 11]);
        var weights = ExportFixtures.Weights(spec, seed: 4);
        var path = Path.Combine(_dir, "pruned.safetensors");
        Checkpoint.Save(path, weights.Names.Select(n => KeyValuePair.Create(n, weights[n])), new Dictionary<string, string>());

        using var module = new Vgg16Module(spec);
        // Not strict: the module may hold buffers a checkpoint has no use for (BatchNorm's batch counter).
        module.load_safetensors(path, strict: false);

        var loaded = module.ToWeights();
        foreach (var name in weights.Names)
        {
            Assert.Equal(weights[name].Data, loaded[name].Data);
        }
    }

    [Fact]
    public void Our_loader_reads_a_checkpoint_pybridge_wrote()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125);
        using var module = new Vgg16Module(spec);
        module.LoadWeights(ExportFixtures.Weights(spec, seed: 5));
        var path = Path.Combine(_dir, "pybridge.safetensors");
        module.save_safetensors(path);

        var (tensors, _) = Checkpoint.Load(path);
        var expected = module.ToWeights();
        foreach (var name in expected.Names)
        {
            Assert.Equal(expected[name].Shape, tensors[name].Shape);
            Assert.Equal(expected[name].Data, tensors[name].Data);
        }

        new ModelWeights(tensors.Where(kv => expected.Contains(kv.Key))).Validate(spec);
    }
}
