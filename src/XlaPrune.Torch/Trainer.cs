using System.Diagnostics;
using XlaPrune.Models;
using XlaPrune.Torch.Data;
using static TorchSharp.torch;

namespace XlaPrune.Torch;

/// <summary>Learning-rate schedules over the epochs of a run.</summary>
public enum LrSchedule
{
    /// <summary>The same rate throughout (the paper's retraining).</summary>
    Constant,

    /// <summary>Divided by 10 at 50% and 75% of the epochs (Network Slimming's recipe).</summary>
    Step,

    /// <summary>Cosine decay to zero over the run.</summary>
    Cosine,
}

/// <summary>How to train; defaults are the paper's (batch 128, SGD momentum 0.9, lr 0.01).</summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>How the rate changes over epochs.</summary>
    public LrSchedule Schedule { get; init; } = LrSchedule.Constant;

    /// <summary>Momentum, weight decay and Network Slimming sparsity.</summary>
    public SgdOptions Sgd { get; init; } = new();

    /// <summary>Seed of the batch order (and of dropout).</summary>
    public int Seed { get; init; }

    /// <summary>Where to keep a checkpoint after every epoch, to resume after a kill; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>The learning rate of epoch <paramref name="epoch"/> (0-based).</summary>
    public double RateAt(int epoch) => Schedule switch
    {
        LrSchedule.Step => LearningRate * (epoch >= 0.75 * Epochs ? 0.01 : epoch >= 0.5 * Epochs ? 0.1 : 1),
        LrSchedule.Cosine => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / Epochs)),
        _ => LearningRate,
    };
}

/// <summary>Progress of a training run, reported after every step.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in an epoch.</param>
/// <param name="Loss">This step's mean cross-entropy.</param>
public sealed record TrainProgress(int Epoch, int Step, int StepsPerEpoch, double Loss);

/// <summary>What a training run produced.</summary>
/// <param name="Weights">Final parameters and BatchNorm statistics.</param>
/// <param name="TestAccuracy">Top-1 accuracy on the test set after the last epoch.</param>
/// <param name="LastEpochLoss">Mean training loss of the last epoch.</param>
/// <param name="EpochsRun">Epochs run in this call (fewer than asked when resumed).</param>
/// <param name="Elapsed">Wall time of this call.</param>
public sealed record TrainResult(ModelWeights Weights, double TestAccuracy, double LastEpochLoss, int EpochsRun, TimeSpan Elapsed);

/// <summary>The TorchSharp reference trainer.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="spec"/> from <paramref name="initial"/> on <paramref name="train"/> and
    /// measures accuracy on <paramref name="test"/>. With a checkpoint path, an existing checkpoint of
    /// the same spec and options is resumed from its last finished epoch.
    /// </summary>
    public static TrainResult Train(Vgg16Spec spec, ModelWeights initial, ImageDataset train, ImageDataset test, TrainOptions options,
        IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        CheckData(spec, train);
        CheckData(spec, test);
        if (options.Epochs < 0 || options.BatchSize < 1)
        {
            throw new ArgumentException($"epochs must be >= 0 and batch size >= 1, got {options.Epochs} and {options.BatchSize}");
        }

        var clock = Stopwatch.StartNew();
        TorchRuntime.Initialize(options.Seed);
        using var module = new Vgg16Module(spec);
        module.LoadWeights(initial);
        using var sgd = new SgdMomentum(module, options.Sgd);
        var firstEpoch = options.CheckpointPath is { } cp && File.Exists(cp) ? Resume(cp, spec, module, sgd) : 0;

        var batch = options.BatchSize;
        var steps = (train.Count + batch - 1) / batch;
        var images = new float[batch * train.ImageLength];
        var labels = new int[batch];
        var lastLoss = double.NaN;
        for (var epoch = firstEpoch; epoch < options.Epochs; epoch++)
        {
            module.train();
            var order = train.Shuffle(unchecked((options.Seed * 1_000_003) + epoch));
            var lr = options.RateAt(epoch);
            double lossSum = 0;
            for (var s = 0; s < steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var indices = order.AsSpan(s * batch, Math.Min(batch, train.Count - (s * batch)));
                train.Gather(indices, images, labels);
                using var scope = NewDisposeScope();
                var x = tensor(images.AsSpan(0, indices.Length * train.ImageLength).ToArray(), [indices.Length, train.Channels, train.Size, train.Size]);
                var y = tensor(labels.AsSpan(0, indices.Length).ToArray().Select(l => (long)l).ToArray());
                sgd.ZeroGrad();
                var loss = nn.functional.cross_entropy(module.forward(x), y);
                loss.backward();
                sgd.Step(lr);
                var value = loss.item<float>();
                lossSum += value;
                progress?.Report(new TrainProgress(epoch, s + 1, steps, value));
            }

            lastLoss = steps > 0 ? lossSum / steps : double.NaN;
            if (options.CheckpointPath is not null)
            {
                TrainingCheckpoint.Save(options.CheckpointPath, spec, module.ToWeights(), sgd.MomentaToWeights(), epoch + 1);
            }
        }

        var weights = module.ToWeights();
        return new TrainResult(weights, Evaluator.Accuracy(spec, weights, test), lastLoss, options.Epochs - firstEpoch, clock.Elapsed);
    }

    private static int Resume(string path, Vgg16Spec spec, Vgg16Module module, SgdMomentum sgd)
    {
        var (savedSpec, weights, momenta, epochs) = TrainingCheckpoint.Load(path);
        if (!savedSpec.Equals(spec))
        {
            throw new InvalidDataException($"{path}: checkpoint is for {savedSpec.Describe()}, not {spec.Describe()}");
        }

        module.LoadWeights(weights);
        if (momenta is not null)
        {
            sgd.LoadMomenta(momenta);
        }

        return epochs;
    }

    private static void CheckData(Vgg16Spec spec, ImageDataset data)
    {
        if (data.Channels != spec.InputChannels || data.Size != spec.ImageSize || data.Classes > spec.Classes)
        {
            throw new ArgumentException(
                $"dataset {data.Name} ({data.Channels}x{data.Size}x{data.Size}, {data.Classes} classes) does not fit {spec.Describe()}");
        }
    }
}

/// <summary>Top-1 accuracy of a model in eval mode.</summary>
public static class Evaluator
{
    /// <summary>Fraction of <paramref name="data"/> classified correctly.</summary>
    public static double Accuracy(Vgg16Spec spec, ModelWeights weights, ImageDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            return double.NaN;
        }

        using var module = new Vgg16Module(spec);
        module.LoadWeights(weights);
        module.eval();
        using var noGrad = no_grad();
        var correct = 0L;
        var all = Enumerable.Range(0, data.Count).ToArray();
        var images = new float[batchSize * data.ImageLength];
        var labels = new int[batchSize];
        for (var start = 0; start < data.Count; start += batchSize)
        {
            var indices = all.AsSpan(start, Math.Min(batchSize, data.Count - start));
            data.Gather(indices, images, labels);
            using var scope = NewDisposeScope();
            var x = tensor(images.AsSpan(0, indices.Length * data.ImageLength).ToArray(), [indices.Length, data.Channels, data.Size, data.Size]);
            var predicted = module.forward(x).argmax(1).data<long>().ToArray();
            for (var i = 0; i < indices.Length; i++)
            {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
        }

        return (double)correct / data.Count;
    }
}
