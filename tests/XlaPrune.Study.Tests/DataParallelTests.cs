using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Torch;

namespace XlaPrune.Study.Tests;

/// <summary>
/// The data-parallel train step on several devices of our CPU plugin: synchronised BatchNorm equals one device
/// on the concatenated batch, per-replica BatchNorm equals TorchSharp on each shard with averaged updates, and
/// the replicas never drift apart.
/// </summary>
public sealed class DataParallelTests
{
    private const int PerDevice = 4;
    private static readonly PjrtPlugin s_plugin = PjrtPlugin.Load("cpu");
    private static readonly Vgg16Spec s_spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 16);
    private static readonly TrainStepOptions s_options = new(Momentum: 0.9, WeightDecay: 5e-4, SlimmingLambda: 1e-4);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void With_synchronised_batchnorm_r_replicas_equal_one_device_on_the_whole_batch(int replicas)
    {
        var (weights, images, labels) = Inputs(replicas * PerDevice, seed: replicas);
        var (oneLoss, one, oneMomenta) = Run(1, replicas * PerDevice, s_options, weights, images, labels);
        var (loss, many, manyMomenta) = Run(replicas, replicas * PerDevice, s_options with { SyncBatchNorm = true }, weights, images, labels);

        AssertClose("loss", [oneLoss], [loss], 1e-5);
        foreach (var name in one.Names)
        {
            AssertClose(name, one[name].Data, many[name].Data, 1e-5);
        }

        foreach (var name in oneMomenta.Names)
        {
            AssertClose("momentum." + name, oneMomenta[name].Data, manyMomenta[name].Data, 1e-5);
        }
    }

    [Fact]
    public void With_per_replica_batchnorm_the_step_averages_torchsharp_steps_on_the_shards()
    {
        const int replicas = 2;
        const float lr = 0.05f;
        var (weights, images, labels) = Inputs(replicas * PerDevice, seed: 9);
        var (loss, actual, momenta) = Run(replicas, replicas * PerDevice, s_options, weights, images, labels, lr);

        var imageLength = images.Length / labels.Length;
        var sgd = new SgdOptions(s_options.Momentum, s_options.WeightDecay, s_options.SlimmingLambda);
        var shards = Enumerable.Range(0, replicas).Select(r => ReferenceStep.Run(s_spec, weights, null,
            images[(r * PerDevice * imageLength)..((r + 1) * PerDevice * imageLength)], labels[(r * PerDevice)..((r + 1) * PerDevice)], lr, sgd)).ToList();

        // The update is linear in the gradient, so averaging the gradients averages the new weights and momenta;
        // running statistics are averaged across replicas by the program.
        AssertClose("loss", [(float)shards.Average(s => s.Loss)], [loss], 1e-4);
        foreach (var name in actual.Names)
        {
            AssertClose(name, Mean(shards.Select(s => s.Weights[name].Data)), actual[name].Data, 1e-4);
        }

        foreach (var name in momenta.Names)
        {
            AssertClose("momentum." + name, Mean(shards.Select(s => s.Momenta[name].Data)), momenta[name].Data, 1e-4);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Replicas_hold_identical_state_after_several_steps(bool syncBatchNorm)
    {
        const int replicas = 2;
        var (weights, images, labels) = Inputs(replicas * PerDevice, seed: 3);
        using var client = ReplicatedTrainStep.CreateClient(s_plugin, replicas);
        using var step = new ReplicatedTrainStep(client, s_spec, replicas * PerDevice, replicas, s_options with { SyncBatchNorm = syncBatchNorm }, weights);
        var losses = Enumerable.Range(0, 4).Select(_ => step.Step(images, labels, 0.05f)).ToList();

        var (w0, m0) = step.ReadState(0);
        var (w1, m1) = step.ReadState(1);
        foreach (var name in w0.Names)
        {
            Assert.Equal(w0[name].Data, w1[name].Data);
        }

        foreach (var name in m0.Names)
        {
            Assert.Equal(m0[name].Data, m1[name].Data);
        }

        // Training on one batch repeatedly lowers its loss.
        Assert.True(losses[^1] < losses[0], $"losses {string.Join(", ", losses)}");
    }

    [Fact]
    public void A_device_count_the_plugin_cannot_serve_names_both_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => ReplicatedTrainStep.CreateClient(s_plugin, 5000));
        Assert.Equal($"--devices 5000: the plugin {s_plugin.Path} has 1 addressable device", e.Message);
    }

    [Fact]
    public void A_batch_that_does_not_split_into_the_devices_is_refused()
    {
        using var client = ReplicatedTrainStep.CreateClient(s_plugin, 2);
        var e = Assert.Throws<ArgumentException>(() => new ReplicatedTrainStep(client, s_spec, 9, 2, s_options, ModelWeights.Initialize(s_spec, 0)));
        Assert.StartsWith("the batch of 9 does not split into 2 device shards of at least 2 images each", e.Message, StringComparison.Ordinal);
    }

    private static (float Loss, ModelWeights Weights, ModelWeights Momenta) Run(
        int devices, int batch, TrainStepOptions options, ModelWeights weights, float[] images, int[] labels, float lr = 0.05f)
    {
        using var client = ReplicatedTrainStep.CreateClient(s_plugin, devices);
        using var step = new ReplicatedTrainStep(client, s_spec, batch, devices, options, weights);
        var loss = step.Step(images, labels, lr);
        var (w, m) = step.ReadState();
        return (loss, w, m);
    }

    private static (ModelWeights Weights, float[] Images, int[] Labels) Inputs(int batch, int seed)
    {
        var weights = ModelWeights.Initialize(s_spec, seed);
        var random = new Random(seed);
        foreach (var bn in s_spec.Convs.Select(c => c.BatchNormName))
        {
            foreach (var (suffix, lo, hi) in new[] { ("weight", 0.5, 1.5), ("bias", -0.2, 0.2), ("running_mean", -0.1, 0.1), ("running_var", 0.8, 1.2) })
            {
                var d = weights[$"{bn}.{suffix}"].Data;
                for (var i = 0; i < d.Length; i++)
                {
                    d[i] = (float)(lo + ((hi - lo) * random.NextDouble()));
                }
            }
        }

        var images = Enumerable.Range(0, batch * 32 * 32).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        return (weights, images, [.. Enumerable.Range(0, batch).Select(i => (i * 7) % 10)]);
    }

    private static float[] Mean(IEnumerable<float[]> arrays)
    {
        var list = arrays.ToList();
        return [.. Enumerable.Range(0, list[0].Length).Select(i => (float)list.Average(a => (double)a[i]))];
    }

    // Relative to the tensor's largest magnitude: a gradient element that is a sum of terms of both signs
    // carries the rounding of those terms, not of its own (possibly tiny) value.
    private static void AssertClose(string name, float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1e-3, expected.Max(v => Math.Abs((double)v)));
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = relative * scale;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{name}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
