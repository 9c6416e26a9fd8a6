using System.Diagnostics;
using XlaPrune.Models;
using XlaPrune.Torch.Data;

namespace XlaPrune.Torch;

/// <summary>What a soak run did.</summary>
/// <param name="Steps">Training steps run.</param>
/// <param name="FirstEpochLoss">Mean loss of the first epoch.</param>
/// <param name="LastEpochLoss">Mean loss of the last epoch.</param>
/// <param name="NonFiniteLosses">Steps whose loss was NaN or infinite.</param>
/// <param name="ForcedCollections">Full garbage collections forced during the run (0 without pressure).</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record SoakResult(long Steps, double FirstEpochLoss, double LastEpochLoss, long NonFiniteLosses, long ForcedCollections, TimeSpan Elapsed);

/// <summary>
/// Long training runs through <see cref="Trainer.Train"/> (the code path of <c>xlaprune train</c>),
/// to show the trainer survives many steps. Optionally a background thread forces full garbage
/// collections and runs finalizers throughout, so that any native object reachable only from a
/// finalizable temporary during a native call (the cause of the random crashes TorchSharp's own
/// BatchNorm had) is freed under libtorch's feet within a few hundred steps instead of a few thousand.
/// </summary>
public static class Soak
{
    /// <summary>The tiny study shape: VGG-16-BN at width 1/8 on 1x32x32 images, 10 classes.</summary>
    public static Vgg16Spec TinySpec => Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125);

    /// <summary>
    /// Trains <see cref="TinySpec"/> on <paramref name="train"/> for <paramref name="steps"/> steps of
    /// <paramref name="batchSize"/> images (<paramref name="steps"/> must be a whole number of epochs).
    /// </summary>
    /// <param name="train">Training images; its count over the batch size sets the steps per epoch.</param>
    /// <param name="steps">Total steps.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="gcPressure">Force full collections and run finalizers on a background thread while training.</param>
    /// <param name="progress">Called after every step with the step count so far and that step's loss.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public static SoakResult Run(ImageDataset train, long steps, int batchSize, bool gcPressure,
        Action<long, double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
        if (stepsPerEpoch == 0 || steps <= 0 || steps % stepsPerEpoch != 0 || steps / stepsPerEpoch > int.MaxValue)
        {
            throw new ArgumentException($"soak steps must be a positive multiple of the {stepsPerEpoch} steps per epoch, got {steps}", nameof(steps));
        }

        var spec = TinySpec;
        var options = new TrainOptions { Epochs = (int)(steps / stepsPerEpoch), BatchSize = batchSize, LearningRate = 0.01, Seed = 1 };
        long done = 0, nonFinite = 0;
        double firstEpochSum = 0;
        var reporter = new StepReporter(p =>
        {
            done++;
            nonFinite += double.IsFinite(p.Loss) ? 0 : 1;
            firstEpochSum += p.Epoch == 0 ? p.Loss : 0;
            progress?.Invoke(done, p.Loss);
        });

        var clock = Stopwatch.StartNew();
        using var pressure = gcPressure ? new GcPressure() : null;
        // The accuracy at the end is not the point here: a small slice of the training set keeps it short.
        var result = Trainer.Train(spec, ModelWeights.Initialize(spec, 1), train, train.Take(batchSize), options, reporter, cancellationToken);
        var collections = pressure?.Stop() ?? 0;
        return new SoakResult(done, firstEpochSum / stepsPerEpoch, result.LastEpochLoss, nonFinite, collections, clock.Elapsed);
    }

    private sealed class StepReporter(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }

    /// <summary>A background thread that forces collections and runs finalizers every few milliseconds, until stopped.</summary>
    private sealed class GcPressure : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _collections;

        public GcPressure()
        {
            _thread = new Thread(() =>
            {
                // Temporaries die young: mostly gen-0 collections (cheap), every eighth a full one
                // for anything promoted while still in use; then run the finalizers at once.
                for (long n = 0; !_stop; n++)
                {
                    GC.Collect(n % 8 == 0 ? GC.MaxGeneration : 0, GCCollectionMode.Forced, blocking: true);
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                    Thread.Sleep(2);
                }
            })
            { IsBackground = true, Name = "soak GC pressure" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Interlocked.Read(ref _collections);
        }

        public void Dispose() => Stop();
    }
}
