using System.Diagnostics;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Study;

/// <summary>
/// Trains with the HLO train step on a PJRT plugin, as a TPU user would: one compiled program
/// per model, parameters, momenta and BatchNorm statistics kept on the device and updated in
/// place, only batches and the loss crossing to the host. Accuracy comes from the HLO eval step.
/// Full batches only (the program has a fixed batch); checkpoints match the TorchSharp trainer's.
/// </summary>
public sealed class PjrtModelTrainer : IModelTrainer, IDisposable
{
    private const int EvalBatch = 256;
    private readonly PjrtClient _client;
    private readonly int _devices;
    private readonly bool _syncBatchNorm;
    private readonly DataFormat _format;

    /// <summary>Trains on a client of <paramref name="plugin"/> (owned by this trainer).</summary>
    public PjrtModelTrainer(PjrtPlugin plugin, int devices = 1, bool syncBatchNorm = false, DataFormat format = DataFormat.Nhwc)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _client = ReplicatedTrainStep.CreateClient(plugin, devices);
        _devices = devices;
        _syncBatchNorm = syncBatchNorm;
        _format = format;
    }

    /// <inheritdoc/>
    public TrainResult Train(Vgg16Spec spec, ModelWeights initial, ImageDataset train, ImageDataset test, TrainOptions options,
        IProgress<TrainProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var weights = initial;
        ModelWeights? momenta = null;
        var firstEpoch = 0;
        if (options.CheckpointPath is { } cp && File.Exists(cp))
        {
            var (saved, w, m, epochs) = TrainingCheckpoint.Load(cp);
            if (!saved.Equals(spec))
            {
                throw new InvalidDataException($"{cp}: checkpoint is for {saved.Describe()}, not {spec.Describe()}");
            }

            (weights, momenta, firstEpoch) = (w, m, epochs);
        }

        // The global batch, split evenly across the devices.
        var batch = Math.Min(options.BatchSize, train.Count) / _devices * _devices;
        var steps = batch == 0 ? 0 : train.Count / batch;
        var lastLoss = double.NaN;
        if (firstEpoch < options.Epochs && steps > 0)
        {
            var sgd = options.Sgd;
            using var step = new ReplicatedTrainStep(_client, spec, batch, _devices,
                new TrainStepOptions(sgd.Momentum, sgd.WeightDecay, sgd.SlimmingLambda, SyncBatchNorm: _syncBatchNorm), weights, momenta, options.Seed, _format);
            var images = new float[batch * train.ImageLength];
            var labels = new int[batch];
            for (var epoch = firstEpoch; epoch < options.Epochs; epoch++)
            {
                var order = train.Shuffle(unchecked((options.Seed * 1_000_003) + epoch));
                var rate = (float)options.RateAt(epoch);
                double lossSum = 0;
                for (var s = 0; s < steps; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    train.Gather(order.AsSpan(s * batch, batch), images, labels);
                    var value = step.Step(images, labels, rate);
                    lossSum += value;
                    progress?.Report(new TrainProgress(epoch, s + 1, steps, value));
                }

                lastLoss = lossSum / steps;
                (weights, momenta) = step.ReadState();
                if (options.CheckpointPath is not null)
                {
                    TrainingCheckpoint.Save(options.CheckpointPath, spec, weights, momenta, epoch + 1);
                }
            }
        }

        return new TrainResult(weights, Accuracy(spec, weights, test), lastLoss, Math.Max(0, options.Epochs - firstEpoch), clock.Elapsed);
    }

    /// <summary>Top-1 accuracy with the HLO eval step on the plugin.</summary>
    public double Accuracy(Vgg16Spec spec, ModelWeights weights, ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            return double.NaN;
        }

        var batch = Math.Min(EvalBatch, data.Count);
        var program = Vgg16Programs.EvalStep(spec, batch, _format);
        using var executable = _client.CompileHlo(program.Module.ToProtoBytes());
        var evalBinding = new ModelBinding(program);
        var fixedArgs = evalBinding.BindState(weights, null, 0, Upload<float>, Upload<ulong>).ToList();
        var imageArg = program.Arguments[evalBinding.IndexOf(ProgramRole.Images)];
        var images = new float[batch * data.ImageLength];
        var labels = new int[batch];
        var correct = 0L;
        try
        {
            for (var start = 0; start < data.Count; start += batch)
            {
                var count = Math.Min(batch, data.Count - start);
                Array.Clear(images);
                data.Gather(Enumerable.Range(start, count).ToArray(), images, labels);
                using var x = _client.BufferFromHost<float>(imageArg.FromTorch(images), [.. imageArg.Shape.Dimensions]);
                var outputs = executable.Execute([.. fixedArgs, x], ExecuteOptions.NoDonation(fixedArgs.Count + 1));
                using var logits = outputs[0];
                var values = logits.ToArray<float>();
                for (var i = 0; i < count; i++)
                {
                    var row = values.AsSpan(i * spec.Classes, spec.Classes);
                    var best = 0;
                    for (var k = 1; k < row.Length; k++)
                    {
                        best = row[k] > row[best] ? k : best;
                    }

                    correct += best == labels[i] ? 1 : 0;
                }
            }
        }
        finally
        {
            foreach (var b in fixedArgs)
            {
                b.Dispose();
            }
        }

        return (double)correct / data.Count;
    }

    private PjrtBuffer Upload<T>(ProgramValue a, T[] data)
        where T : unmanaged => _client.BufferFromHost<T>(data, [.. a.Shape.Dimensions]);

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
