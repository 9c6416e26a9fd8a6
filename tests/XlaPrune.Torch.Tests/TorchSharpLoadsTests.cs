using TorchSharp;
using XlaPrune.Torch;
using static TorchSharp.torch;

namespace XlaPrune.Torch.Tests;

// These run only if libLibTorchSharp.so loads, which on Debian 12 needs native/compat's fix.
public class TorchSharpLoadsTests
{
    [Fact]
    public void Conv_forward_equals_hand_computed_value()
    {
        using var scope = NewDisposeScope();
        // 1x1x3x3 input 1..9, one 2x2 kernel [[1,0],[0,-1]], bias 0.5, no padding:
        // out[i,j] = x[i,j] - x[i+1,j+1] + 0.5 = -4 + 0.5 everywhere.
        var x = arange(1, 10, dtype: float32).reshape(1, 1, 3, 3);
        var w = tensor(new float[] { 1, 0, 0, -1 }).reshape(1, 1, 2, 2);
        var b = tensor(new float[] { 0.5f });

        var y = nn.functional.conv2d(x, w, b);

        Assert.Equal([1L, 1, 2, 2], y.shape);
        Assert.Equal([-3.5f, -3.5f, -3.5f, -3.5f], y.data<float>().ToArray());
    }

    [Fact]
    public void Conv_bn_relu_linear_loss_falls_under_sgd()
    {
        TorchRuntime.Initialize(seed: 7);
        using var scope = NewDisposeScope();
        var model = nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(4)),
            ("relu", nn.ReLU()),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4 * 6 * 6, 3)));
        var images = randn(12, 1, 6, 6);
        var labels = tensor(Enumerable.Range(0, 12).Select(i => (long)(i % 3)).ToArray());
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.05, momentum: 0.9);
        var losses = new List<float>();

        for (var step = 0; step < 20; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        // Twelve fixed images, three classes: the model can memorise them.
        Assert.InRange(losses[0], 0.8f, 1.6f); // about ln 3 at random initialisation
        Assert.True(losses[^1] < 0.5f * losses[0], $"loss went {losses[0]} -> {losses[^1]}");
        Assert.True(losses.Skip(10).Average() < losses.Take(10).Average());
    }
}
