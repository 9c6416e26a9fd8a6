using XlaPrune.Hlo;

namespace XlaPrune.Programs;

/// <summary>What an argument or result of a program holds.</summary>
public enum ProgramRole
{
    /// <summary>A trained model tensor (weight, BatchNorm scale or shift, bias).</summary>
    Parameter,

    /// <summary>The SGD momentum of a trained tensor.</summary>
    Momentum,

    /// <summary>A BatchNorm running statistic (mean or variance), updated by the train step but not trained.</summary>
    BatchNormStatistic,

    /// <summary>The random-bit state of dropout, u64[2].</summary>
    RngState,

    /// <summary>The input batch of images.</summary>
    Images,

    /// <summary>The class labels of the batch, s32[batch].</summary>
    Labels,

    /// <summary>The learning rate, f32[].</summary>
    LearningRate,

    /// <summary>The mean cross-entropy loss of the batch, f32[].</summary>
    Loss,

    /// <summary>The classifier's outputs, f32[batch, classes].</summary>
    Logits,
}

/// <summary>
/// An argument or result of a program: its HLO parameter name (kept in the emitted module), shape, role, and for
/// model state the model tensor it belongs to (the key in <c>ModelWeights</c>). Consumers match the role, never the name.
/// </summary>
/// <param name="Name">Parameter name in the HLO module.</param>
/// <param name="Shape">Shape.</param>
/// <param name="Role">What it holds.</param>
/// <param name="Tensor">Model tensor name for <see cref="ProgramRole.Parameter"/>, <see cref="ProgramRole.Momentum"/> and <see cref="ProgramRole.BatchNormStatistic"/>; otherwise null.</param>
public sealed record ProgramValue(string Name, Shape Shape, ProgramRole Role, string? Tensor = null)
{
    /// <summary>
    /// How the value's dimensions relate to PyTorch's order (checkpoints, TorchSharp): program dimension i is PyTorch
    /// dimension <c>TorchPermutation[i]</c>. Null when the orders agree (every value of an NCHW program).
    /// </summary>
    public IReadOnlyList<int>? TorchPermutation { get; init; }

    /// <summary>The dimensions in PyTorch's order.</summary>
    public IReadOnlyList<long> TorchDimensions =>
        TorchPermutation is null ? Shape.Dimensions : [.. DataFormats.Inverse(TorchPermutation).Select(i => Shape.Dimensions[i])];

    /// <summary>Row-major values in PyTorch's order, transposed to the program's order (the same array when the orders agree).</summary>
    public float[] FromTorch(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return TorchPermutation is null ? values : DataFormats.Transpose(values, TorchDimensions, TorchPermutation);
    }

    /// <summary>Row-major values in the program's order, transposed to PyTorch's order (the same array when the orders agree).</summary>
    public float[] ToTorch(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return TorchPermutation is null ? values : DataFormats.Transpose(values, Shape.Dimensions, DataFormats.Inverse(TorchPermutation));
    }

    /// <summary>Whether it is model state carried from one train step to the next (result i is the new value of argument i).</summary>
    public bool IsState => Role is ProgramRole.Parameter or ProgramRole.Momentum or ProgramRole.BatchNormStatistic or ProgramRole.RngState;

    /// <summary>A trained tensor, named after it.</summary>
    public static ProgramValue Parameter(string tensor, Shape shape) => new(tensor, shape, ProgramRole.Parameter, tensor);

    /// <summary>The momentum of <paramref name="tensor"/>, named <c>momentum.</c> + tensor.</summary>
    public static ProgramValue Momentum(string tensor, Shape shape) => new("momentum." + tensor, shape, ProgramRole.Momentum, tensor);

    /// <summary>A BatchNorm running statistic, named after its tensor.</summary>
    public static ProgramValue BatchNormStatistic(string tensor, Shape shape) => new(tensor, shape, ProgramRole.BatchNormStatistic, tensor);

    /// <summary>The dropout rng state <c>rng_state</c>, u64[2].</summary>
    public static ProgramValue RngState() => new("rng_state", Shape.Array(ElementType.U64, 2), ProgramRole.RngState);

    /// <summary>The image batch <c>images</c>.</summary>
    public static ProgramValue Images(Shape shape) => new("images", shape, ProgramRole.Images);

    /// <summary>The labels <c>labels</c>, s32[batch].</summary>
    public static ProgramValue Labels(int batch) => new("labels", Shape.Array(ElementType.S32, batch), ProgramRole.Labels);

    /// <summary>The learning rate <c>lr</c>, f32[].</summary>
    public static ProgramValue LearningRate() => new("lr", Shape.Scalar(ElementType.F32), ProgramRole.LearningRate);

    /// <summary>The loss result <c>loss</c>, f32[].</summary>
    public static ProgramValue Loss() => new("loss", Shape.Scalar(ElementType.F32), ProgramRole.Loss);

    /// <summary>The logits result <c>logits</c>.</summary>
    public static ProgramValue Logits(Shape shape) => new("logits", shape, ProgramRole.Logits);
}

/// <summary>A built program with its argument and result tables (result i is tuple element i).</summary>
public sealed record Vgg16Program(HloModule Module, IReadOnlyList<ProgramValue> Arguments, IReadOnlyList<ProgramValue> Results)
{
    /// <summary>The program's activation and kernel order.</summary>
    public DataFormat Format { get; init; } = DataFormat.Nchw;
}
