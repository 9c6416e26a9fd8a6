using XlaPrune.Models;

namespace XlaPrune.Pruning.Tests;

public class UniformPlanTests
{
    [Fact]
    public void Uniform_removes_the_same_fraction_of_every_conv_rounding_half_away_from_zero()
    {
        var spec = Vgg16Spec.Cifar(width: 0.125); // 8 8 16 16 32 32 32 64 64 64 64 64 64

        Assert.Equal([4, 4, 8, 8, 16, 16, 16, 32, 32, 32, 32, 32, 32], Planner.Uniform(spec, 0.5).ConvChannels);
        // 8·0.1 = 0.8 rounds to 1; 64·0.1 = 6.4 rounds to 6; 16·0.1 = 1.6 to 2.
        Assert.Equal([1, 1, 2, 2, 3, 3, 3, 6, 6, 6, 6, 6, 6], Planner.Uniform(spec, 0.9).ConvChannels);
        // 8·0.01 = 0.08 would round to 0: at least one channel stays.
        Assert.Equal(1, Planner.Uniform(spec, 0.99).ConvChannels[0]);
        Assert.Equal(spec, Planner.Uniform(spec, 0));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Uniform_refuses_ratios_outside_0_to_1(double ratio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Planner.Uniform(Vgg16Spec.Cifar(width: 0.125), ratio));
}
