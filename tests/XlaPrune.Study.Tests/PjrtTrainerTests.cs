using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Study;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Study.Tests;

public class PjrtTrainerTests
{
    [Fact]
    public void Pjrt_and_torch_trainers_reach_the_same_accuracy_on_a_short_run()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 16);
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 1024);
        var test = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 500);
        var options = new TrainOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.02, Seed = 3 };
        var initial = ModelWeights.Initialize(spec, 3);

        var torch = new TorchModelTrainer().Train(spec, initial, train, test, options, null, CancellationToken.None);
        using var pjrtTrainer = new PjrtModelTrainer(PjrtPlugin.Load("cpu"));
        var pjrt = pjrtTrainer.Train(spec, initial, train, test, options, null, CancellationToken.None);

        // Same data order, same initial weights, same update rule (one step agrees within 1e-4,
        // see TrainStepAgreementTests): the runs differ only by float rounding, which training
        // amplifies, so the accuracies agree within noise and both learn.
        Assert.True(torch.TestAccuracy > 0.3, $"torch accuracy {torch.TestAccuracy}");
        Assert.True(pjrt.TestAccuracy > 0.3, $"pjrt accuracy {pjrt.TestAccuracy}");
        Assert.InRange(pjrt.TestAccuracy - torch.TestAccuracy, -0.15, 0.15);
        Assert.InRange(pjrt.LastEpochLoss / torch.LastEpochLoss, 0.8, 1.25);
        // The HLO eval step and TorchSharp agree on the same weights.
        Assert.Equal(Evaluator.Accuracy(spec, pjrt.Weights, test), pjrtTrainer.Accuracy(spec, pjrt.Weights, test), 3);
    }
}
