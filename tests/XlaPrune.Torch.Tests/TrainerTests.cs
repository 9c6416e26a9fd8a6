using XlaPrune.Models;
using XlaPrune.Torch.Data;

namespace XlaPrune.Torch.Tests;

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Module_names_match_the_spec_and_weights_round_trip()
    {
        var spec = Vgg16Spec.ImageNet(inputChannels: 1, classes: 3, width: 1.0 / 16, imageSize: 64, classifierHidden: 6);
        var w = ModelWeights.Initialize(spec, 3);
        using var module = new Vgg16Module(spec);

        module.LoadWeights(w);
        var back = module.ToWeights();

        Assert.Equal(spec.Parameters.Select(p => p.Name), module.NamedTrainable().Select(p => p.Name));
        foreach (var name in w.Names)
        {
            Assert.Equal(w[name].Data, back[name].Data);
        }
    }

    [Fact]
    public void Sgd_step_matches_hand_computed_update()
    {
        // With zero momentum buffers, one step gives v = g + wd*w (+ λ sign γ) and w' = w - lr*v.
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 2, width: 1.0 / 32);
        var w = ModelWeights.Initialize(spec, 5);
        var random = new Random(1);
        var images = Enumerable.Range(0, 2 * 32 * 32).Select(_ => (float)random.NextDouble()).ToArray();
        var options = new SgdOptions(Momentum: 0.9, WeightDecay: 1e-3, SlimmingLambda: 1e-2);

        var r = ReferenceStep.Run(spec, w, null, images, [0, 1], lr: 0.1, options);

        var g = r.Gradients["bn3.weight"].Data[1];
        var gamma = w["bn3.weight"].Data[1]; // 1 at init, so sign is +1
        var v = g + (1e-3f * gamma) + 1e-2f;
        Assert.Equal(v, r.Momenta["bn3.weight"].Data[1], 6);
        Assert.Equal(gamma - (0.1f * v), r.Weights["bn3.weight"].Data[1], 6);
        var wc = w["conv2.weight"].Data[7];
        var vc = r.Gradients["conv2.weight"].Data[7] + (1e-3f * wc);
        Assert.Equal(wc - (0.1f * vc), r.Weights["conv2.weight"].Data[7], 6);
        // Train-mode BatchNorm updated the running statistics: mean moved 10% toward the batch mean.
        Assert.NotEqual(0f, r.Weights["bn1.running_mean"].Data[0]);
        Assert.InRange(r.Loss, 0.3, 1.2);
    }

    [Fact]
    public void Short_fashion_mnist_run_is_well_above_chance_and_resumes()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125);
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 6000);
        var test = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 1000);
        var checkpoint = Path.Combine(_dir, "run.safetensors");
        var options = new TrainOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.02, Seed = 1, CheckpointPath = checkpoint };
        var steps = new List<TrainProgress>();

        var first = Trainer.Train(spec, ModelWeights.Initialize(spec, 1), train, test, options, new SyncProgress<TrainProgress>(steps.Add));
        // A second call with three epochs finds the checkpoint of epoch 2 and runs only epoch 3.
        var second = Trainer.Train(spec, ModelWeights.Initialize(spec, 1), train, test, options with { Epochs = 3 });

        Assert.Equal(2, first.EpochsRun);
        Assert.Equal(1, second.EpochsRun);
        Assert.Equal(2 * 94, steps.Count); // 6000 images in batches of 64
        Assert.True(first.TestAccuracy > 0.6, $"accuracy after two epochs {first.TestAccuracy}");
        Assert.True(second.TestAccuracy > 0.7, $"accuracy after three epochs {second.TestAccuracy}");
        var (savedSpec, _, momenta, epochs) = TrainingCheckpoint.Load(checkpoint);
        Assert.Equal(spec, savedSpec);
        Assert.Equal(3, epochs);
        Assert.NotNull(momenta);
    }

    [Fact]
    public void Checkpoint_for_another_model_is_rejected()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, width: 1.0 / 32);
        var other = Vgg16Spec.Cifar(inputChannels: 3, width: 1.0 / 32);
        var path = Path.Combine(_dir, "other.safetensors");
        TrainingCheckpoint.Save(path, other, ModelWeights.Initialize(other, 1), null, 1);
        var data = new ImageDataset("tiny", 1, 32, 10, new float[32 * 32], [0]);

        var e = Assert.Throws<InvalidDataException>(() => Trainer.Train(spec, ModelWeights.Initialize(spec, 1), data, data,
            new TrainOptions { Epochs = 2, CheckpointPath = path }));

        Assert.Equal($"{path}: checkpoint is for {other.Describe()}, not {spec.Describe()}", e.Message);
    }
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late for asserts).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
