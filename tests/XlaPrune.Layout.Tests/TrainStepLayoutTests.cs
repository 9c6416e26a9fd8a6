using XlaPrune.Layout;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Layout.Tests;

/// <summary>The train step's tensors come from its HLO module, not from a list kept by hand.</summary>
public class TrainStepLayoutTests
{
    private static readonly Vgg16Spec s_tiny = Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16);

    [Theory]
    [InlineData(DataFormat.Nhwc)]
    [InlineData(DataFormat.Nchw)]
    public void Entry_parameters_are_read_with_their_kinds_and_bytes(DataFormat format)
    {
        var program = Vgg16Programs.TrainStep(s_tiny, 2, format: format);
        var tensors = TrainStepLayout.Tensors(program.Module);
        var totals = TrainStepLayout.Totals(tensors);

        // Every f32 argument once; labels (s32) are not modelled.
        Assert.Equal(program.Arguments.Where(a => a.Name != "labels").Select(a => a.Name), tensors.Take(program.Arguments.Count - 1).Select(t => t.Name));
        Assert.Equal(s_tiny.ParameterCount * 4, totals.ByKind[TensorKind.Parameter].Logical);
        Assert.Equal(totals.ByKind[TensorKind.Parameter], totals.ByKind[TensorKind.Momentum]);
        Assert.Equal(s_tiny.BatchNormStats.Sum(t => t.ElementCount) * 4L, totals.ByKind[TensorKind.BatchNormStatistic].Logical);
        Assert.Equal(((2 * 32 * 32) + 1) * 4L, totals.ByKind[TensorKind.Input].Logical); // images and lr
        Assert.Equal("conv3", tensors.Single(t => t.Name == "momentum.conv3.weight").Layer);
    }

    [Fact]
    public void Oihw_kernel_parameters_pad_with_3x3_minor_and_hwio_ones_do_not()
    {
        var spec = Vgg16Spec.Cifar();
        ModelledTensor Conv13(DataFormat f) => TrainStepLayout.Tensors(Vgg16Programs.TrainStep(spec, 8, format: f).Module).Single(t => t.Name == "conv13.weight");

        var oihw = Conv13(DataFormat.Nchw);
        Assert.Equal("f32[512,512,3,3]{3,2,1,0:T(4,128)}", oihw.Range.Preferred.Layout.ToString());
        Assert.Equal(512L * 512 * 4 * 128 * 4, oihw.PaddedBytes);
        var hwio = Conv13(DataFormat.Nhwc);
        Assert.Equal("f32[3,3,512,512]{3,2,1,0:T(8,128)}", hwio.Range.Preferred.Layout.ToString());
        Assert.Equal(512L * 512 * 9 * 4, hwio.PaddedBytes);
        Assert.Equal(TensorKind.Parameter, hwio.Kind);
    }

    [Fact]
    public void Kept_activations_are_forward_values_read_by_the_backward_pass()
    {
        var tensors = TrainStepLayout.Tensors(Vgg16Programs.TrainStep(s_tiny, 2).Module);
        var kept = tensors.Where(t => t.Kind == TensorKind.Activation).ToList();

        Assert.NotEmpty(kept);
        // conv1's activations are [2, 32, 32, 4]. Feature-minor pads 4 -> 128 with batch 2 second-minor in a (2,128)
        // tile: 32·32·2·128·4 bytes; batch-minor pads batch 2 -> 128 with 4 in a (4,128) tile: twice that. Rule A1.
        var conv1 = kept.First(t => t.Range.Role == LayoutClass.ConvActivation && t.Range.Preferred.Layout.Dims.SequenceEqual([2L, 32, 32, 4]));
        Assert.Equal("conv1", conv1.Layer);
        Assert.Equal(32L * 32 * 2 * 128 * 4, conv1.PaddedBytes);
        Assert.Equal("f32[2,32,32,4]{3,0,2,1:T(2,128)}", conv1.Range.Preferred.Layout.ToString());
        // Held tensors exclude temporaries; the backward pass's values are all temporaries.
        Assert.All(tensors.Where(t => t.Layer.Length == 0), t => Assert.Equal(TensorKind.Temporary, t.Kind));
    }
}
