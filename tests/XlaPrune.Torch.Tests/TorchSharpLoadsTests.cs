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
        using var from = 1.ToScalar();
        using var to = 10.ToScalar();
        var x = arange(from, to, dtype: float32).reshape(1, 1, 3, 3);
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
            ("bn", new BatchNormLayer(4)),
            ("relu", nn.ReLU()),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4 * 6 * 6, 3)));
        var images = randn(12, 1, 6, 6);
        var labels = tensor(Enumerable.Range(0, 12).Select(i => (long)(i % 3)).ToArray());
        // SGD with momentum 0.9 written out with explicit Scalars (TorchSharp's optim.SGD converts
        // its numbers implicitly, the hazard BatchNormLayer's remarks describe).
        var parameters = model.parameters().ToList();
        var momenta = parameters.Select(p => zeros_like(p).detach()).ToList();
        using var one = 1.0.ToScalar();
        using var momentum = 0.9.ToScalar();
        using var negativeLr = (-0.05).ToScalar();
        var losses = new List<float>();

        for (var step = 0; step < 20; step++)
        {
            using var stepScope = NewDisposeScope();
            foreach (var p in parameters)
            {
                p.grad?.zero_();
            }

            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            using (no_grad())
            {
                for (var i = 0; i < parameters.Count; i++)
                {
                    momenta[i].mul_(momentum).add_(parameters[i].grad!, alpha: one);
                    parameters[i].add_(momenta[i], alpha: negativeLr);
                }
            }

            losses.Add(loss.item<float>());
        }

        // Twelve fixed images, three classes: the model can memorise them.
        Assert.InRange(losses[0], 0.8f, 1.6f); // about ln 3 at random initialisation
        Assert.True(losses[^1] < 0.5f * losses[0], $"loss went {losses[0]} -> {losses[^1]}");
        Assert.True(losses.Skip(10).Average() < losses.Take(10).Average());
    }
}
