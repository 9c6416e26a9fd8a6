using System.Globalization;

namespace XlaPrune.Hlo;

/// <summary>Comparison directions of <c>compare</c>.</summary>
public enum ComparisonDirection
{
    /// <summary>Equal.</summary>
    Eq,

    /// <summary>Not equal.</summary>
    Ne,

    /// <summary>Greater or equal.</summary>
    Ge,

    /// <summary>Greater.</summary>
    Gt,

    /// <summary>Less or equal.</summary>
    Le,

    /// <summary>Less.</summary>
    Lt,
}

/// <summary>Spellings of <see cref="ComparisonDirection"/>.</summary>
public static class ComparisonDirectionNames
{
    private static readonly string[] s_names = ["EQ", "NE", "GE", "GT", "LE", "LT"];

    /// <summary>The name XLA's HLO text, HloInstructionProto and StableHLO use, e.g. <c>GT</c>.</summary>
    public static string XlaName(this ComparisonDirection direction) => s_names[(int)direction];
}

/// <summary>Algorithms of <c>rng-bit-generator</c> (XLA RandomAlgorithm numbers).</summary>
public enum RngAlgorithm
{
    /// <summary>Backend default.</summary>
    Default = 0,

    /// <summary>Threefry.</summary>
    ThreeFry = 1,

    /// <summary>Philox.</summary>
    Philox = 2,
}

/// <summary>One window dimension of convolution, reduce-window and select-and-scatter.</summary>
/// <param name="Size">Window size.</param>
/// <param name="Stride">Stride (≥ 1).</param>
/// <param name="PadLow">Padding before.</param>
/// <param name="PadHigh">Padding after.</param>
/// <param name="WindowDilation">Dilation of the window (rhs dilation), ≥ 1.</param>
/// <param name="BaseDilation">Dilation of the base (lhs dilation), ≥ 1.</param>
/// <param name="Reversal">Whether the window is reversed.</param>
public sealed record WindowDim(long Size, long Stride = 1, long PadLow = 0, long PadHigh = 0, long WindowDilation = 1, long BaseDilation = 1, bool Reversal = false);

/// <summary>Convolution dimension numbers (XLA ConvolutionDimensionNumbers).</summary>
public sealed record ConvDims(
    long InputBatch, long InputFeature, IReadOnlyList<long> InputSpatial,
    long KernelInputFeature, long KernelOutputFeature, IReadOnlyList<long> KernelSpatial,
    long OutputBatch, long OutputFeature, IReadOnlyList<long> OutputSpatial)
{
    /// <summary>NCHW input, OIHW kernel, NCHW output (<c>bf01_oi01->bf01</c>).</summary>
    public static ConvDims Nchw2D { get; } = new(0, 1, [2, 3], 1, 0, [2, 3], 0, 1, [2, 3]);

    /// <summary>The HLO text <c>dim_labels</c> value, e.g. <c>bf01_oi01->bf01</c>.</summary>
    public string Labels()
    {
        var n = InputSpatial.Count + 2;
        return Label(n, InputBatch, 'b', InputFeature, 'f', InputSpatial) + "_" + Label(n, KernelOutputFeature, 'o', KernelInputFeature, 'i', KernelSpatial)
            + "->" + Label(n, OutputBatch, 'b', OutputFeature, 'f', OutputSpatial);
    }

    private static string Label(int n, long a, char ca, long b, char cb, IReadOnlyList<long> spatial)
    {
        var c = new char[n];
        c[a] = ca;
        c[b] = cb;
        for (var i = 0; i < spatial.Count; i++)
        {
            c[spatial[i]] = (char)('0' + i);
        }

        return new string(c);
    }
}

/// <summary>Dot dimension numbers (XLA DotDimensionNumbers).</summary>
public sealed record DotDims(IReadOnlyList<long> LhsContracting, IReadOnlyList<long> RhsContracting, IReadOnlyList<long> LhsBatch, IReadOnlyList<long> RhsBatch)
{
    /// <summary>Contract lhs dim <paramref name="lhs"/> with rhs dim <paramref name="rhs"/>, no batch.</summary>
    public static DotDims Contract(long lhs, long rhs) => new([lhs], [rhs], [], []);
}

/// <summary>Padding of one dimension for <c>pad</c>.</summary>
public sealed record PadDim(long Low, long High, long Interior = 0);

/// <summary>A value in a computation under construction: one HLO instruction. Immutable once created.</summary>
public sealed class HloOp
{
    internal HloOp(HloBuilder builder, string opcode, Shape shape, HloOp[] operands, string name)
    {
        Builder = builder;
        Opcode = opcode;
        Shape = shape;
        Operands = operands;
        Name = name;
        Index = builder.Count;
    }

    /// <summary>The builder (computation) it belongs to.</summary>
    public HloBuilder Builder { get; }

    /// <summary>HLO opcode string, e.g. <c>add</c>.</summary>
    public string Opcode { get; }

    /// <summary>Result shape.</summary>
    public Shape Shape { get; }

    /// <summary>Operands.</summary>
    public IReadOnlyList<HloOp> Operands { get; }

    /// <summary>Instruction name, unique in the module, e.g. <c>add.12</c>.</summary>
    public string Name { get; }

    internal int Index { get; }

    internal HloOp[] Ops => (HloOp[])Operands;

    internal long ParameterNumber { get; init; } = -1;

    internal long[] Dimensions { get; init; } = [];

    internal long TupleIndex { get; init; }

    internal WindowDim[]? Window { get; init; }

    /// <summary>Dimension numbers of a convolution; null for other opcodes.</summary>
    public ConvDims? ConvDims { get; internal init; }

    internal DotDims? DotDims { get; init; }

    internal (long Start, long Limit, long Stride)[]? Slice { get; init; }

    internal PadDim[]? Padding { get; init; }

    internal long FeatureGroupCount { get; init; } = 1;

    internal long BatchGroupCount { get; init; } = 1;

    internal ComparisonDirection? Direction { get; init; }

    internal HloComputation[] Callees { get; init; } = [];

    internal double[]? Literal { get; init; }

    internal RngAlgorithm RngAlgorithm { get; init; }

    internal long[][]? ReplicaGroups { get; init; }

    /// <summary>Autodiff treats the value as a constant (e.g. the max subtracted for a stable softmax).</summary>
    internal bool StopGradient { get; set; }

    /// <summary>Operand name with shape, as in HLO text.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Shape} %{Name}");
}
