using TorchSharp;
using static TorchSharp.torch;

namespace XlaPrune.Torch.Tests;

public sealed class BatchNormLayerTests
{
    [Fact]
    public void Train_and_eval_outputs_gradients_and_running_statistics_equal_TorchSharps_BatchNorm2d()
    {
        TorchRuntime.Initialize(seed: 3);
        using var scope = NewDisposeScope();
        using var ours = new BatchNormLayer(5);
        // TorchSharp's module as the reference: a handful of calls here, not a training loop.
#pragma warning disable RS0030
        using var theirs = nn.BatchNorm2d(5, eps: 1e-5, momentum: 0.1);
#pragma warning restore RS0030
        using (no_grad())
        {
            var gamma = rand(5);
            var beta = randn(5);
            ours.get_parameter("weight")!.copy_(gamma);
            theirs.weight!.copy_(gamma);
            ours.get_parameter("bias")!.copy_(beta);
            theirs.bias!.copy_(beta);
        }

        ours.train();
        theirs.train();
        for (var step = 0; step < 3; step++)
        {
            var x = randn(4, 5, 3, 3);
            var xOurs = x.clone().requires_grad_(true);
            var xTheirs = x.clone().requires_grad_(true);
            var r = randn(4, 5, 3, 3);
            var yOurs = ours.forward(xOurs);
            var yTheirs = theirs.forward(xTheirs);
            (yOurs * r).sum().backward();
            (yTheirs * r).sum().backward();

            Assert.Equal(Values(yTheirs), Values(yOurs));
            Assert.Equal(Values(xTheirs.grad!), Values(xOurs.grad!));
        }

        Assert.Equal(Values(theirs.weight!.grad!), Values(ours.get_parameter("weight")!.grad!));
        Assert.Equal(Values(theirs.bias!.grad!), Values(ours.get_parameter("bias")!.grad!));
        Assert.Equal(Values(theirs.running_mean!), Values(ours.get_buffer("running_mean")!));
        Assert.Equal(Values(theirs.running_var!), Values(ours.get_buffer("running_var")!));
        // Three updates moved the mean away from 0 and the variance away from 1.
        Assert.NotEqual(0f, Values(ours.get_buffer("running_mean")!)[0]);

        ours.eval();
        theirs.eval();
        using (no_grad())
        {
            var x = randn(2, 5, 3, 3);
            Assert.Equal(Values(theirs.forward(x)), Values(ours.forward(x)));
        }
    }

    [Fact]
    public void State_names_are_TorchSharps_and_carry_no_batch_counter()
    {
        using var layer = new BatchNormLayer(3);

        Assert.Equal(["weight", "bias", "running_mean", "running_var"], layer.state_dict().Keys);
        Assert.Equal([1f, 1f, 1f], Values(layer.get_parameter("weight")!));
        Assert.Equal([0f, 0f, 0f], Values(layer.get_buffer("running_mean")!));
        Assert.Equal([1f, 1f, 1f], Values(layer.get_buffer("running_var")!));
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
