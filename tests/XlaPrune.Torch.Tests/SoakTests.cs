using XlaPrune.Torch.Data;

namespace XlaPrune.Torch.Tests;

public sealed class SoakTests
{
    /// <summary>
    /// Ten thousand steps of the tiny shape through the trainer while another thread forces full
    /// collections and runs finalizers: with TorchSharp's own BatchNorm (its implicit Scalar
    /// temporaries) such a run died within a few hundred to a few thousand steps. The 100,000-step
    /// run is <c>./build.sh soak</c>.
    /// </summary>
    [Fact]
    public void Ten_thousand_tiny_steps_under_forced_collections_finish_and_learn()
    {
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 512);

        var result = Soak.Run(train, steps: 10_000, batchSize: 32, gcPressure: true);

        Assert.Equal(10_000, result.Steps);
        Assert.Equal(0, result.NonFiniteLosses);
        // 625 epochs over 512 images: the network memorises them.
        Assert.InRange(result.FirstEpochLoss, 1.0, 3.0);
        Assert.True(result.LastEpochLoss < 0.1 * result.FirstEpochLoss, $"loss {result.FirstEpochLoss} -> {result.LastEpochLoss}");
        // The pressure thread really ran throughout (it collects about every millisecond or two).
        Assert.True(result.ForcedCollections > 1000, $"only {result.ForcedCollections} forced collections");
    }

    [Fact]
    public void Steps_that_are_not_whole_epochs_are_refused()
    {
        var data = new ImageDataset("tiny", 1, 32, 10, new float[3 * 32 * 32], [0, 1, 2]);

        var e = Assert.Throws<ArgumentException>(() => Soak.Run(data, steps: 5, batchSize: 2, gcPressure: false));

        Assert.StartsWith("soak steps must be a positive multiple of the 2 steps per epoch, got 5", e.Message, StringComparison.Ordinal);
    }
}
