namespace XlaPrune.Models;

/// <summary>Which VGG-16 the spec describes.</summary>
public enum Vgg16Variant
{
    /// <summary>CIFAR-style: 13 conv + BN + ReLU, 5 max-pools, one Linear to the classes.</summary>
    Cifar,

    /// <summary>ImageNet-style: 224x224, classifier Linear-ReLU-Dropout twice, then Linear to the classes.</summary>
    ImageNet,
}

/// <summary>What a tensor of the model is; fixes how pruning slices it.</summary>
public enum TensorRole
{
    /// <summary>Convolution weight [out, in, kh, kw] (OIHW).</summary>
    ConvWeight,

    /// <summary>BatchNorm scale γ [channels].</summary>
    BatchNormScale,

    /// <summary>BatchNorm shift β [channels].</summary>
    BatchNormBias,

    /// <summary>BatchNorm running mean [channels] (a buffer, not trained).</summary>
    BatchNormRunningMean,

    /// <summary>BatchNorm running variance [channels] (a buffer, not trained).</summary>
    BatchNormRunningVar,

    /// <summary>Linear weight [out, in].</summary>
    LinearWeight,

    /// <summary>Linear bias [out].</summary>
    LinearBias,
}

/// <summary>A named tensor of the model, with its shape in PyTorch conventions.</summary>
/// <param name="Name">Name shared by TorchSharp modules, HLO parameters and checkpoints, e.g. <c>conv3.weight</c>.</param>
/// <param name="Shape">Dimensions, major to minor.</param>
/// <param name="Role">What the tensor is.</param>
/// <param name="Layer">Owning layer, e.g. <c>conv3</c>, <c>bn3</c>, <c>fc1</c>.</param>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape, TensorRole Role, string Layer)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>False for BatchNorm running statistics.</summary>
    public bool IsTrainable => Role is not (TensorRole.BatchNormRunningMean or TensorRole.BatchNormRunningVar);
}

/// <summary>A 3x3, stride 1, pad 1 convolution without bias, followed by BatchNorm2d, ReLU and optionally a 2x2 max-pool.</summary>
/// <param name="Index">0-based position among the 13 convolutions.</param>
/// <param name="Name"><c>conv1</c> .. <c>conv13</c>.</param>
/// <param name="BatchNormName"><c>bn1</c> .. <c>bn13</c>.</param>
/// <param name="InChannels">Input feature maps.</param>
/// <param name="OutChannels">Output feature maps (the prunable dimension).</param>
/// <param name="InputSize">Height and width at the input (and output, since padding keeps the size).</param>
/// <param name="MaxPoolAfter">Whether a 2x2 stride-2 max-pool follows the ReLU.</param>
public sealed record ConvLayerSpec(int Index, string Name, string BatchNormName, int InChannels, int OutChannels, int InputSize, bool MaxPoolAfter)
{
    /// <summary>Kernel height and width.</summary>
    public const int KernelSize = 3;

    /// <summary>Multiply-accumulates for one image.</summary>
    public long MacsPerImage => (long)OutChannels * InChannels * KernelSize * KernelSize * InputSize * InputSize;
}

/// <summary>A fully connected layer of the classifier.</summary>
/// <param name="Index">0-based position in the classifier.</param>
/// <param name="Name"><c>fc1</c>, <c>fc2</c>, ...</param>
/// <param name="InFeatures">Inputs.</param>
/// <param name="OutFeatures">Outputs.</param>
/// <param name="ReluAfter">Whether ReLU follows (hidden layers).</param>
/// <param name="DropoutAfter">Dropout probability after the ReLU (0: none).</param>
public sealed record LinearLayerSpec(int Index, string Name, int InFeatures, int OutFeatures, bool ReluAfter, double DropoutAfter)
{
    /// <summary>Multiply-accumulates for one image.</summary>
    public long MacsPerImage => (long)InFeatures * OutFeatures;
}
