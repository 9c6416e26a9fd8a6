using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XlaPrune.Models;

/// <summary>
/// VGG-16 with BatchNorm as data. A pruned model is the same spec with fewer channels per
/// convolution, so every consumer (TorchSharp module, HLO program, layout model, counts)
/// derives its shapes from here.
/// </summary>
public sealed record Vgg16Spec
{
    private static readonly int[] s_baseChannels = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];

    // Max-pools follow conv2, conv4, conv7, conv10 and conv13.
    private static readonly bool[] s_poolAfter = [false, true, false, true, false, false, true, false, false, true, false, false, true];

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly int[] _convChannels;

    private Vgg16Spec(Vgg16Variant variant, int inputChannels, int imageSize, int classes, double width, int[] convChannels, int classifierHidden)
    {
        if (inputChannels < 1)
        {
            throw new ArgumentException($"input_channels must be at least 1, got {inputChannels}", nameof(inputChannels));
        }

        if (imageSize < 32 || imageSize % 32 != 0)
        {
            throw new ArgumentException($"image_size must be a positive multiple of 32 (five 2x2 max-pools), got {imageSize}", nameof(imageSize));
        }

        if (classes < 1)
        {
            throw new ArgumentException($"classes must be at least 1, got {classes}", nameof(classes));
        }

        if (!(width > 0) || double.IsInfinity(width))
        {
            throw new ArgumentException($"width must be a positive number, got {width.ToString(CultureInfo.InvariantCulture)}", nameof(width));
        }

        ValidateChannels(convChannels);
        if (variant == Vgg16Variant.ImageNet && classifierHidden < 1)
        {
            throw new ArgumentException($"classifier_hidden must be at least 1 for the ImageNet variant, got {classifierHidden}", nameof(classifierHidden));
        }

        Variant = variant;
        InputChannels = inputChannels;
        ImageSize = imageSize;
        Classes = classes;
        Width = width;
        _convChannels = convChannels;
        ClassifierHidden = variant == Vgg16Variant.ImageNet ? classifierHidden : 0;
        Convs = BuildConvs();
        Linears = BuildLinears();
        (Parameters, BatchNormStats) = BuildTensors();
    }

    /// <summary>Channel counts of the 13 convolutions of the original VGG-16.</summary>
    public static IReadOnlyList<int> BaseChannels => s_baseChannels;

    /// <summary>Number of convolutions.</summary>
    public const int ConvCount = 13;

    /// <summary>Which variant.</summary>
    public Vgg16Variant Variant { get; }

    /// <summary>Input image channels (3 for RGB, 1 for Fashion-MNIST).</summary>
    public int InputChannels { get; }

    /// <summary>Input height and width (a multiple of 32).</summary>
    public int ImageSize { get; }

    /// <summary>Classifier outputs.</summary>
    public int Classes { get; }

    /// <summary>Width multiplier the unpruned channel counts were derived from.</summary>
    public double Width { get; }

    /// <summary>Output channels of conv1..conv13.</summary>
    public IReadOnlyList<int> ConvChannels => _convChannels;

    /// <summary>Hidden width of the ImageNet classifier (not scaled by <see cref="Width"/>); 0 for CIFAR.</summary>
    public int ClassifierHidden { get; }

    /// <summary>The convolution layers in order.</summary>
    public IReadOnlyList<ConvLayerSpec> Convs { get; }

    /// <summary>The classifier layers in order.</summary>
    public IReadOnlyList<LinearLayerSpec> Linears { get; }

    /// <summary>Trainable tensors in canonical order: conv1.weight, bn1.weight, bn1.bias, ..., fc1.weight, fc1.bias, ...</summary>
    public IReadOnlyList<TensorSpec> Parameters { get; }

    /// <summary>BatchNorm running statistics: bn1.running_mean, bn1.running_var, ...</summary>
    public IReadOnlyList<TensorSpec> BatchNormStats { get; }

    /// <summary>Height and width of the last feature map (ImageSize / 32).</summary>
    public int FinalFeatureSize => ImageSize / 32;

    /// <summary>Inputs of the first Linear: last conv channels x final size squared (NCHW flatten).</summary>
    public int FlattenFeatures => _convChannels[^1] * FinalFeatureSize * FinalFeatureSize;

    /// <summary>Number of trainable elements.</summary>
    public long ParameterCount => Parameters.Sum(p => p.ElementCount);

    /// <summary>Forward multiply-accumulates for one image (what pruning papers call FLOPs).</summary>
    public long MacsPerImage => Convs.Sum(c => c.MacsPerImage) + Linears.Sum(l => l.MacsPerImage);

    /// <summary>Forward floating-point operations for one image: 2 x <see cref="MacsPerImage"/>.</summary>
    public long FlopsPerImage => 2 * MacsPerImage;

    /// <summary>The CIFAR-style VGG-16 (32x32 input, Linear 512·w → classes).</summary>
    public static Vgg16Spec Cifar(int inputChannels = 3, int classes = 10, double width = 1.0, int imageSize = 32) =>
        new(Vgg16Variant.Cifar, inputChannels, imageSize, classes, width, ScaledChannels(width), 0);

    /// <summary>The ImageNet-style VGG-16 (224x224 input, classifier hidden-hidden-classes with dropout 0.5).</summary>
    public static Vgg16Spec ImageNet(int inputChannels = 3, int classes = 1000, double width = 1.0, int imageSize = 224, int classifierHidden = 4096) =>
        new(Vgg16Variant.ImageNet, inputChannels, imageSize, classes, width, ScaledChannels(width), classifierHidden);

    /// <summary>The same model with other channel counts per convolution (a pruned model).</summary>
    public Vgg16Spec WithConvChannels(IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        return new(Variant, InputChannels, ImageSize, Classes, Width, [.. channels], ClassifierHidden);
    }

    /// <summary>One line that names the model, e.g. <c>vgg16-cifar w=0.25 in=1 classes=10 [16,16,M,32,...]</c>.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"vgg16-{(Variant == Vgg16Variant.Cifar ? "cifar" : "imagenet")} w={Width.ToString(CultureInfo.InvariantCulture)} in={InputChannels} size={ImageSize} classes={Classes} [");
        for (var i = 0; i < ConvCount; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}{_convChannels[i]}");
            if (s_poolAfter[i])
            {
                sb.Append(",M");
            }
        }

        sb.Append(']');
        if (ClassifierHidden > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" hidden={ClassifierHidden}");
        }

        return sb.ToString();
    }

    /// <summary>JSON with keys variant, input_channels, image_size, classes, width, conv_channels, classifier_hidden.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new SpecJson(Variant, InputChannels, ImageSize, Classes, Width, _convChannels, ClassifierHidden), s_json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not a VGG-16 spec.</exception>
    public static Vgg16Spec FromJson(string json)
    {
        SpecJson? dto;
        try
        {
            dto = JsonSerializer.Deserialize<SpecJson>(json, s_json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a VGG-16 spec: {e.Message}", e);
        }

        if (dto is null || dto.ConvChannels is null)
        {
            throw new FormatException("not a VGG-16 spec: conv_channels is missing");
        }

        try
        {
            return new(dto.Variant, dto.InputChannels, dto.ImageSize, dto.Classes, dto.Width, dto.ConvChannels, dto.ClassifierHidden);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"not a valid VGG-16 spec: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public bool Equals(Vgg16Spec? other) =>
        other is not null && Variant == other.Variant && InputChannels == other.InputChannels && ImageSize == other.ImageSize
        && Classes == other.Classes && Width.Equals(other.Width) && ClassifierHidden == other.ClassifierHidden
        && _convChannels.AsSpan().SequenceEqual(other._convChannels);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Variant);
        hash.Add(InputChannels);
        hash.Add(ImageSize);
        hash.Add(Classes);
        foreach (var c in _convChannels)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private static int[] ScaledChannels(double width)
    {
        if (!(width > 0) || double.IsInfinity(width))
        {
            throw new ArgumentException($"width must be a positive number, got {width.ToString(CultureInfo.InvariantCulture)}", nameof(width));
        }

        return [.. s_baseChannels.Select(c => Math.Max(1, (int)Math.Round(c * width, MidpointRounding.AwayFromZero)))];
    }

    private static void ValidateChannels(int[] channels)
    {
        if (channels.Length != ConvCount)
        {
            throw new ArgumentException($"conv_channels must have {ConvCount} entries, got {channels.Length}", nameof(channels));
        }

        for (var i = 0; i < channels.Length; i++)
        {
            if (channels[i] < 1)
            {
                throw new ArgumentException($"conv_channels[{i}] (conv{i + 1}) must be at least 1, got {channels[i]}", nameof(channels));
            }
        }
    }

    private ConvLayerSpec[] BuildConvs()
    {
        var convs = new ConvLayerSpec[ConvCount];
        var inChannels = InputChannels;
        var size = ImageSize;
        for (var i = 0; i < ConvCount; i++)
        {
            convs[i] = new ConvLayerSpec(i, $"conv{i + 1}", $"bn{i + 1}", inChannels, _convChannels[i], size, s_poolAfter[i]);
            inChannels = _convChannels[i];
            if (s_poolAfter[i])
            {
                size /= 2;
            }
        }

        return convs;
    }

    private LinearLayerSpec[] BuildLinears() => Variant == Vgg16Variant.Cifar
        ? [new LinearLayerSpec(0, "fc1", FlattenFeatures, Classes, ReluAfter: false, DropoutAfter: 0)]
        : [
            new LinearLayerSpec(0, "fc1", FlattenFeatures, ClassifierHidden, ReluAfter: true, DropoutAfter: 0.5),
            new LinearLayerSpec(1, "fc2", ClassifierHidden, ClassifierHidden, ReluAfter: true, DropoutAfter: 0.5),
            new LinearLayerSpec(2, "fc3", ClassifierHidden, Classes, ReluAfter: false, DropoutAfter: 0),
        ];

    private (TensorSpec[] Parameters, TensorSpec[] Stats) BuildTensors()
    {
        var parameters = new List<TensorSpec>();
        var stats = new List<TensorSpec>();
        foreach (var c in Convs)
        {
            parameters.Add(new($"{c.Name}.weight", [c.OutChannels, c.InChannels, ConvLayerSpec.KernelSize, ConvLayerSpec.KernelSize], TensorRole.ConvWeight, c.Name));
            parameters.Add(new($"{c.BatchNormName}.weight", [c.OutChannels], TensorRole.BatchNormScale, c.BatchNormName));
            parameters.Add(new($"{c.BatchNormName}.bias", [c.OutChannels], TensorRole.BatchNormBias, c.BatchNormName));
            stats.Add(new($"{c.BatchNormName}.running_mean", [c.OutChannels], TensorRole.BatchNormRunningMean, c.BatchNormName));
            stats.Add(new($"{c.BatchNormName}.running_var", [c.OutChannels], TensorRole.BatchNormRunningVar, c.BatchNormName));
        }

        foreach (var l in Linears)
        {
            parameters.Add(new($"{l.Name}.weight", [l.OutFeatures, l.InFeatures], TensorRole.LinearWeight, l.Name));
            parameters.Add(new($"{l.Name}.bias", [l.OutFeatures], TensorRole.LinearBias, l.Name));
        }

        return ([.. parameters], [.. stats]);
    }

    private sealed record SpecJson(
        Vgg16Variant Variant, int InputChannels, int ImageSize, int Classes, double Width, int[]? ConvChannels, int ClassifierHidden);
}
