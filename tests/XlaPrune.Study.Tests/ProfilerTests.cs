using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Study;

namespace XlaPrune.Study.Tests;

public class ProfilerTests
{
    [Fact]
    public void Cpu_plugin_profile_of_a_small_train_step()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 1.0 / 16);
        const int batch = 4;
        using var profiler = new PjrtStepProfiler(PjrtPlugin.Load("cpu"));

        var r = profiler.Profile(spec, batch, steps: 2, warmup: 1, CancellationToken.None);

        Assert.Equal("cpu", r.Plugin.PlatformName);
        Assert.True(r.CompileMs > 0);
        Assert.True(r.StepMs.P10 > 0 && r.StepMs.P10 <= r.StepMs.Median && r.StepMs.Median <= r.StepMs.P90);
        // Arguments: parameters and momenta, BatchNorm statistics, images, labels, learning rate.
        var stats = spec.BatchNormStats.Sum(t => t.ElementCount);
        Assert.Equal((2 * spec.ParameterCount * 4) + (stats * 4) + (batch * 32 * 32 * 4) + (batch * 4) + 4, r.Memory.ArgumentBytes);
        // Everything but the loss is updated in place.
        Assert.Equal((2 * spec.ParameterCount * 4) + (stats * 4), r.Memory.AliasBytes);
        // Forward, input gradient and weight gradient: about 3 x 2 flops per multiply-accumulate.
        Assert.InRange(r.Flops, 5.0 * spec.MacsPerImage * batch, 7.0 * spec.MacsPerImage * batch);
    }
}
