using XlaPrune.Models;

namespace XlaPrune.Models.Tests;

public class Vgg16SpecTests
{
    [Fact]
    public void Cifar_full_width_counts_match_hand_computed_values()
    {
        var spec = Vgg16Spec.Cifar();

        // conv weights 14,710,464 + BN gamma/beta 2*4224 + fc 512*10+10.
        Assert.Equal(14_724_042L, spec.ParameterCount);
        // Li et al. (ICLR'17) Table 1 gives 3.13e8 "FLOPs" (multiply-accumulates) for this model.
        Assert.Equal(313_201_664L, spec.MacsPerImage);
        Assert.Equal(2 * 313_201_664L, spec.FlopsPerImage);
        Assert.Equal(512, spec.FlattenFeatures);
        Assert.Equal(1, spec.FinalFeatureSize);
    }

    [Fact]
    public void ImageNet_counts_match_torchvision_vgg16_bn_without_conv_bias()
    {
        var spec = Vgg16Spec.ImageNet();

        // torchvision vgg16 has 138,357,544 parameters with 4,224 conv biases; we drop those
        // (BatchNorm follows every conv) and add 8,448 BatchNorm scales and shifts.
        Assert.Equal(138_357_544L - 4_224 + 8_448, spec.ParameterCount);
        Assert.Equal(15_470_264_320L, spec.MacsPerImage);
        Assert.Equal(512 * 7 * 7, spec.FlattenFeatures);
        Assert.Equal(["fc1", "fc2", "fc3"], spec.Linears.Select(l => l.Name));
        Assert.Equal(0.5, spec.Linears[0].DropoutAfter);
        Assert.Equal(0.0, spec.Linears[2].DropoutAfter);
    }

    [Fact]
    public void Pruned_spec_li_et_al_pruned_a_counts()
    {
        int[] prunedA = [32, 64, 128, 128, 256, 256, 256, 256, 256, 256, 256, 256, 256];
        var spec = Vgg16Spec.Cifar().WithConvChannels(prunedA);

        Assert.Equal(206_146_048L, spec.MacsPerImage); // paper: 2.06e8
        Assert.Equal(5_261_866L, spec.ParameterCount);
        Assert.Equal([32, 3, 3, 3], spec.Parameters.Single(p => p.Name == "conv1.weight").Shape);
        Assert.Equal([64, 32, 3, 3], spec.Parameters.Single(p => p.Name == "conv2.weight").Shape);
        Assert.Equal([10, 256], spec.Parameters.Single(p => p.Name == "fc1.weight").Shape);
    }

    [Fact]
    public void Width_quarter_one_input_channel()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, width: 0.25);

        Assert.Equal([16, 16, 32, 32, 64, 64, 64, 128, 128, 128, 128, 128, 128], spec.ConvChannels);
        Assert.Equal(922_842L, spec.ParameterCount);
        Assert.Equal(19_612_928L, spec.MacsPerImage);
        Assert.Equal([16, 1, 3, 3], spec.Parameters[0].Shape);
    }

    [Fact]
    public void Tensors_are_in_canonical_order()
    {
        var spec = Vgg16Spec.Cifar(width: 0.125);

        Assert.Equal(13 * 3 + 2, spec.Parameters.Count);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight"], spec.Parameters.Take(4).Select(p => p.Name));
        Assert.Equal(["fc1.weight", "fc1.bias"], spec.Parameters.TakeLast(2).Select(p => p.Name));
        Assert.Equal(["bn1.running_mean", "bn1.running_var"], spec.BatchNormStats.Take(2).Select(p => p.Name));
        Assert.All(spec.BatchNormStats, s => Assert.False(s.IsTrainable));
    }

    [Fact]
    public void Spatial_sizes_halve_after_each_pool()
    {
        var spec = Vgg16Spec.Cifar();

        Assert.Equal([32, 32, 16, 16, 8, 8, 8, 4, 4, 4, 2, 2, 2], spec.Convs.Select(c => c.InputSize));
        Assert.Equal([2, 4, 7, 10, 13], spec.Convs.Where(c => c.MaxPoolAfter).Select(c => c.Index + 1));
    }

    [Fact]
    public void Json_round_trips_with_snake_case_keys()
    {
        var spec = Vgg16Spec.ImageNet(classes: 100, width: 0.5, classifierHidden: 512).WithConvChannels([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

        var json = spec.ToJson();

        Assert.Contains("\"conv_channels\"", json, StringComparison.Ordinal);
        Assert.Contains("\"variant\": \"image_net\"", json, StringComparison.Ordinal);
        Assert.Contains("\"classifier_hidden\": 512", json, StringComparison.Ordinal);
        Assert.Equal(spec, Vgg16Spec.FromJson(json));
    }

    [Fact]
    public void Describe_names_the_layers()
    {
        Assert.Equal(
            "vgg16-cifar w=0.125 in=1 size=32 classes=10 [8,8,M,16,16,M,32,32,32,M,64,64,64,M,64,64,64,M]",
            Vgg16Spec.Cifar(inputChannels: 1, width: 0.125).Describe());
    }

    [Fact]
    public void Bad_input_names_the_field()
    {
        Assert.Equal(
            "conv_channels must have 13 entries, got 2 (Parameter 'channels')",
            Assert.Throws<ArgumentException>(() => Vgg16Spec.Cifar().WithConvChannels([1, 2])).Message);
        Assert.Equal(
            "conv_channels[4] (conv5) must be at least 1, got 0 (Parameter 'channels')",
            Assert.Throws<ArgumentException>(() => Vgg16Spec.Cifar().WithConvChannels([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1])).Message);
        Assert.StartsWith("image_size must be a positive multiple of 32", Assert.Throws<ArgumentException>(() => Vgg16Spec.Cifar(imageSize: 28)).Message, StringComparison.Ordinal);
        Assert.StartsWith("not a VGG-16 spec", Assert.Throws<FormatException>(() => Vgg16Spec.FromJson("{\"variant\": 3")).Message, StringComparison.Ordinal);
        Assert.Equal("not a VGG-16 spec: conv_channels is missing", Assert.Throws<FormatException>(() => Vgg16Spec.FromJson("{}")).Message);
    }
}
