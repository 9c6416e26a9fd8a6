using XlaPrune.Layout;
using XlaPrune.Models;

namespace XlaPrune.Layout.Tests;

public class LayoutTests
{
    [Fact]
    public void Activation_pads_features_to_128_and_batch_to_8()
    {
        var a = TpuLayoutModel.Choose(LayoutClass.ConvActivation, [128, 64, 32, 32], ElementType.F32);

        Assert.Equal("f32[128,64,32,32]{1,0,3,2:T(8,128)}", a.ToString());
        Assert.Equal(128L * 64 * 32 * 32 * 4, a.LogicalBytes);
        Assert.Equal(32L * 32 * 128 * 128 * 4, a.PaddedBytes); // 64 features stored as 128
        Assert.Equal(32L * 32 * 8 * 128 * 4, TpuLayoutModel.Choose(LayoutClass.ConvActivation, [5, 100, 32, 32], ElementType.F32).PaddedBytes);
    }

    [Fact]
    public void Kernel_has_output_features_minor_and_compacts_a_small_input_dimension()
    {
        var k = TpuLayoutModel.Choose(LayoutClass.ConvKernel, [64, 3, 3, 3], ElementType.F32);

        Assert.Equal("f32[64,3,3,3]{0,1,3,2:T(4,128)}", k.ToString());
        Assert.Equal(64L * 3 * 9 * 4, k.LogicalBytes);
        Assert.Equal(9L * 4 * 128 * 4, k.PaddedBytes);
        Assert.Equal(9L * 512 * 512 * 4, TpuLayoutModel.Choose(LayoutClass.ConvKernel, [512, 512, 3, 3], ElementType.F32).PaddedBytes);
    }

    [Fact]
    public void Vectors_matrices_and_scalars()
    {
        Assert.Equal(128 * 4, TpuLayoutModel.Choose(LayoutClass.Vector, [64], ElementType.F32).PaddedBytes);
        Assert.Equal(512 * 4, TpuLayoutModel.Choose(LayoutClass.Vector, [512], ElementType.F32).PaddedBytes);
        Assert.Equal(16 * 512 * 4, TpuLayoutModel.Choose(LayoutClass.Matrix, [10, 512], ElementType.F32).PaddedBytes);
        Assert.Equal("f32[]{:T(256)}", TpuLayoutModel.Choose(LayoutClass.Scalar, [], ElementType.F32).ToString());
        Assert.Equal(1024, TpuLayoutModel.Choose(LayoutClass.Scalar, [], ElementType.F32).PaddedBytes);
        Assert.Equal(8 * 128 * 2, TpuLayoutModel.Choose(LayoutClass.Matrix, [8, 100], ElementType.BF16).PaddedBytes);
    }

    [Fact]
    public void Unpruned_cifar_vgg16_train_step_totals()
    {
        var tensors = TpuLayoutModel.TrainStepTensors(Vgg16Spec.Cifar(), batch: 128);
        var totals = TpuLayoutModel.Totals(tensors);

        // Hand-derived per tensor from the rules (see docs/layout.md) and summed.
        Assert.Equal(477_406_584L, totals.LogicalBytes);
        Assert.Equal(686_128_640L, totals.PaddedBytes);
        // Parameters: conv 14,710,464 + BN 8,448 + fc 5,130 elements, 4 bytes each.
        Assert.Equal(14_724_042L * 4, totals.ByKind[TensorKind.Parameter].Logical);
        Assert.Equal(totals.ByKind[TensorKind.Parameter], totals.ByKind[TensorKind.Momentum]);
        // conv1's 64-channel activations at 32x32 are padded 2x; conv13's 512 channels not at all.
        var c1 = tensors.Single(t => t.Name == "act.conv1.relu");
        Assert.Equal(2 * c1.LogicalBytes, c1.PaddedBytes);
        var c13 = tensors.Single(t => t.Name == "act.conv13.relu");
        Assert.Equal(c13.LogicalBytes, c13.PaddedBytes);
    }

    [Fact]
    public void Pruned_vgg16_saves_less_padded_memory_than_logical()
    {
        int[] prunedA = [32, 64, 128, 128, 256, 256, 256, 256, 256, 256, 256, 256, 256];
        var pruned = TpuLayoutModel.Totals(TpuLayoutModel.TrainStepTensors(Vgg16Spec.Cifar().WithConvChannels(prunedA), 128));

        Assert.Equal(313_909_496L, pruned.LogicalBytes);
        Assert.Equal(555_957_760L, pruned.PaddedBytes);
        // 34% fewer logical bytes, only 19% fewer padded bytes: conv1 at 32 channels still takes 128.
        Assert.Equal(0.342, 1 - (313_909_496.0 / 477_406_584), 3);
        Assert.Equal(0.190, 1 - (555_957_760.0 / 686_128_640), 3);
    }

    [Fact]
    public void Pruning_512_to_400_saves_nothing_padded_but_384_saves_a_quarter()
    {
        var full = TpuLayoutModel.Choose(LayoutClass.ConvActivation, [128, 512, 4, 4], ElementType.F32).PaddedBytes;
        var p400 = TpuLayoutModel.Choose(LayoutClass.ConvActivation, [128, 400, 4, 4], ElementType.F32).PaddedBytes;
        var p384 = TpuLayoutModel.Choose(LayoutClass.ConvActivation, [128, 384, 4, 4], ElementType.F32).PaddedBytes;

        Assert.Equal(full, p400);
        Assert.Equal(0.75 * full, p384);
    }

    [Theory]
    [InlineData(512, 400, TileRounding.Nearest, 384)]
    [InlineData(512, 450, TileRounding.Nearest, 512)]
    [InlineData(512, 400, TileRounding.Up, 512)]
    [InlineData(512, 500, TileRounding.Down, 384)]
    [InlineData(512, 30, TileRounding.Down, 128)]
    [InlineData(64, 40, TileRounding.Nearest, 40)]
    [InlineData(200, 190, TileRounding.Up, 200)]
    public void Tile_aware_rounding(int original, int desired, TileRounding rounding, int expected) =>
        Assert.Equal(expected, TileAwareChannels.Round(original, desired, rounding));
}
