using System.Globalization;

namespace XlaPrune.Hlo;

/// <summary>Element-wise unary ops.</summary>
public enum UnaryOp
{
    /// <summary>-x.</summary>
    Negate,

    /// <summary>|x|.</summary>
    Abs,

    /// <summary>sign(x).</summary>
    Sign,

    /// <summary>e^x.</summary>
    Exponential,

    /// <summary>ln x.</summary>
    Log,

    /// <summary>√x.</summary>
    Sqrt,

    /// <summary>1/√x.</summary>
    Rsqrt,
}

/// <summary>Element-wise binary ops.</summary>
public enum BinaryOp
{
    /// <summary>a + b.</summary>
    Add,

    /// <summary>a - b.</summary>
    Subtract,

    /// <summary>a · b.</summary>
    Multiply,

    /// <summary>a / b.</summary>
    Divide,

    /// <summary>max(a, b).</summary>
    Maximum,

    /// <summary>min(a, b).</summary>
    Minimum,
}

/// <summary>State shared by all builders of one module: unique names.</summary>
internal sealed class ModuleContext
{
    private readonly HashSet<string> _names = [];
    private int _next = 1;

    public string Unique(string stem)
    {
        var name = stem;
        while (!_names.Add(name))
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}.{_next++}");
        }

        return name;
    }

    public string Next(string opcode)
    {
        string name;
        do
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{opcode}.{_next++}");
        }
        while (!_names.Add(name));
        return name;
    }
}

/// <summary>
/// Builds one HLO computation. Every op infers its shape at once and throws an
/// <see cref="ArgumentException"/> naming the op and the shapes when they do not fit.
/// The entry builder makes the module (<see cref="Build"/>); sub-builders (<see cref="CreateSubBuilder"/>)
/// make called computations (reducers, select/scatter).
/// </summary>
public sealed class HloBuilder
{
    private static readonly string[] s_unary = ["negate", "abs", "sign", "exponential", "log", "sqrt", "rsqrt"];
    private static readonly string[] s_binary = ["add", "subtract", "multiply", "divide", "maximum", "minimum"];

    private readonly List<HloOp> _ops = [];
    private readonly List<HloOp> _parameters = [];
    private readonly ModuleContext _context;

    /// <summary>A builder for the entry computation of module <paramref name="moduleName"/>.</summary>
    public HloBuilder(string moduleName)
        : this(moduleName, "main", new ModuleContext())
    {
    }

    private HloBuilder(string moduleName, string computationName, ModuleContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(moduleName);
        ModuleName = moduleName;
        _context = context;
        ComputationName = context.Unique(computationName);
    }

    /// <summary>Module name.</summary>
    public string ModuleName { get; }

    /// <summary>Name of the computation being built.</summary>
    public string ComputationName { get; }

    /// <summary>Parameters in number order.</summary>
    public IReadOnlyList<HloOp> Parameters => _parameters;

    internal int Count => _ops.Count;

    internal IReadOnlyList<HloOp> Ops => _ops;

    /// <summary>A builder for a called computation of the same module.</summary>
    public HloBuilder CreateSubBuilder(string name) => new(ModuleName, name, _context);

    /// <summary>A scalar reducer computation <c>(x, y) -> op(x, y)</c>.</summary>
    public HloComputation ScalarComputation(string name, ElementType type, BinaryOp op)
    {
        var b = CreateSubBuilder(name);
        var x = b.Parameter(Shape.Scalar(type), "x");
        var y = b.Parameter(Shape.Scalar(type), "y");
        return b.BuildComputation(b.Binary(op, x, y));
    }

    /// <summary>A scalar predicate computation <c>(x, y) -> compare(x, y, direction)</c> (for select-and-scatter).</summary>
    public HloComputation ComparatorComputation(string name, ElementType type, ComparisonDirection direction)
    {
        var b = CreateSubBuilder(name);
        var x = b.Parameter(Shape.Scalar(type), "x");
        var y = b.Parameter(Shape.Scalar(type), "y");
        return b.BuildComputation(b.Compare(x, y, direction));
    }

    // ---- creation helpers

    private HloOp Add(HloOp op)
    {
        _ops.Add(op);
        return op;
    }

    private HloOp New(string opcode, Shape shape, HloOp[] operands,
        Func<HloBuilder, string, Shape, HloOp[], string, HloOp>? make = null)
    {
        foreach (var o in operands)
        {
            ArgumentNullException.ThrowIfNull(o);
            if (o.Builder != this)
            {
                throw new ArgumentException($"{opcode}: operand %{o.Name} belongs to computation {o.Builder.ComputationName}, not {ComputationName}");
            }
        }

        var name = _context.Next(opcode);
        return Add(make is null ? new HloOp(this, opcode, shape, operands, name) : make(this, opcode, shape, operands, name));
    }

    private static string S(Shape s) => s.ToText(withLayout: false);

    private static ArgumentException Error(string message) => new(message);

    private static void RequireArray(string op, HloOp x)
    {
        if (x.Shape.IsTuple)
        {
            throw Error($"{op}: operand %{x.Name} is a tuple {S(x.Shape)}, an array is required");
        }
    }

    // ---- leaves

    /// <summary>The next parameter (numbered in call order), named after <paramref name="name"/> when unique.</summary>
    public HloOp Parameter(Shape shape, string name)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var clean = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_')]);
        if (!char.IsAsciiLetter(clean[0]) && clean[0] != '_')
        {
            clean = "p_" + clean;
        }

        var op = new HloOp(this, "parameter", shape, [], _context.Unique(clean)) { ParameterNumber = _parameters.Count };
        _parameters.Add(op);
        return Add(op);
    }

    /// <summary>An f32 scalar constant.</summary>
    public HloOp Constant(float value) => Constant(Shape.Scalar(ElementType.F32), [value]);

    /// <summary>An s32 scalar constant.</summary>
    public HloOp ConstantS32(int value) => Constant(Shape.Scalar(ElementType.S32), [value]);

    /// <summary>An f32 array constant (row-major values).</summary>
    public HloOp Constant(Shape shape, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ConstantOf(shape, [.. values.Select(v => (double)v)], ElementType.F32);
    }

    /// <summary>An s32 array constant (row-major values).</summary>
    public HloOp ConstantS32(Shape shape, IReadOnlyList<int> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ConstantOf(shape, [.. values.Select(v => (double)v)], ElementType.S32);
    }

    private HloOp ConstantOf(Shape shape, double[] values, ElementType type)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.ElementType != type)
        {
            throw Error($"constant: shape {S(shape)} does not have element type {Shape.TypeName(type)}");
        }

        if (values.Length != shape.ElementCount)
        {
            throw Error($"constant: shape {S(shape)} needs {shape.ElementCount} values, got {values.Length}");
        }

        return New("constant", shape, [], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Literal = values });
    }

    /// <summary>Iota along <paramref name="dimension"/>.</summary>
    public HloOp Iota(Shape shape, long dimension)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.IsTuple || dimension < 0 || dimension >= shape.Rank)
        {
            throw Error($"iota: dimension {dimension} is out of range for {S(shape)}");
        }

        return New("iota", shape, [], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Dimensions = [dimension] });
    }

    // ---- shape ops

    /// <summary>Broadcast to <paramref name="outDims"/>; operand dimension i maps to output dimension <paramref name="mapping"/>[i].</summary>
    public HloOp Broadcast(HloOp x, long[] outDims, long[] mapping)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(outDims);
        ArgumentNullException.ThrowIfNull(mapping);
        RequireArray("broadcast", x);
        var shape = Shape.Array(x.Shape.ElementType, outDims);
        if (mapping.Length != x.Shape.Rank)
        {
            throw Error($"broadcast: {mapping.Length} dimensions given for operand {S(x.Shape)} of rank {x.Shape.Rank}");
        }

        for (var i = 0; i < mapping.Length; i++)
        {
            if (mapping[i] < 0 || mapping[i] >= outDims.Length || outDims[mapping[i]] != x.Shape.Dims[i] || (i > 0 && mapping[i] <= mapping[i - 1]))
            {
                throw Error($"broadcast: operand {S(x.Shape)} does not map to {S(shape)} with dimensions={{{string.Join(",", mapping)}}}");
            }
        }

        return New("broadcast", shape, [x], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Dimensions = (long[])mapping.Clone() });
    }

    /// <summary>Broadcast a scalar to a shape's dimensions.</summary>
    public HloOp BroadcastScalar(HloOp scalar, IReadOnlyList<long> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return Broadcast(scalar, [.. dims], []);
    }

    /// <summary>Reshape to <paramref name="dims"/> (row-major order kept).</summary>
    public HloOp Reshape(HloOp x, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireArray("reshape", x);
        var shape = Shape.Array(x.Shape.ElementType, dims);
        if (shape.ElementCount != x.Shape.ElementCount)
        {
            throw Error($"reshape: {S(x.Shape)} has {x.Shape.ElementCount} elements, {S(shape)} has {shape.ElementCount}");
        }

        return New("reshape", shape, [x]);
    }

    /// <summary>Transpose: output dimension i is operand dimension <paramref name="permutation"/>[i].</summary>
    public HloOp Transpose(HloOp x, params long[] permutation)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(permutation);
        RequireArray("transpose", x);
        if (permutation.Length != x.Shape.Rank || permutation.Order().Select((v, i) => v == i).Any(ok => !ok))
        {
            throw Error($"transpose: dimensions={{{string.Join(",", permutation)}}} is not a permutation of the dimensions of {S(x.Shape)}");
        }

        var dims = permutation.Select(p => x.Shape.Dims[p]).ToArray();
        return New("transpose", Shape.Array(x.Shape.ElementType, dims), [x], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Dimensions = (long[])permutation.Clone() });
    }

    /// <summary>Element type conversion.</summary>
    public HloOp Convert(HloOp x, ElementType type)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireArray("convert", x);
        return New("convert", x.Shape.WithElementType(type), [x]);
    }

    /// <summary>Slice [start, limit) with strides (1 when null).</summary>
    public HloOp Slice(HloOp x, long[] start, long[] limit, long[]? strides = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(limit);
        RequireArray("slice", x);
        strides ??= [.. Enumerable.Repeat(1L, x.Shape.Rank)];
        if (start.Length != x.Shape.Rank || limit.Length != x.Shape.Rank || strides.Length != x.Shape.Rank)
        {
            throw Error($"slice: operand {S(x.Shape)} needs {x.Shape.Rank} starts, limits and strides");
        }

        var dims = new long[start.Length];
        var sl = new (long, long, long)[start.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            if (start[i] < 0 || limit[i] < start[i] || limit[i] > x.Shape.Dims[i] || strides[i] < 1)
            {
                throw Error($"slice: [{start[i]}:{limit[i]}:{strides[i]}] is out of range for dimension {i} of {S(x.Shape)}");
            }

            dims[i] = (limit[i] - start[i] + strides[i] - 1) / strides[i];
            sl[i] = (start[i], limit[i], strides[i]);
        }

        return New("slice", Shape.Array(x.Shape.ElementType, dims), [x], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Slice = sl });
    }

    /// <summary>Pad with a scalar value.</summary>
    public HloOp Pad(HloOp x, HloOp value, params PadDim[] padding)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(padding);
        RequireArray("pad", x);
        if (value.Shape.Rank != 0 || value.Shape.ElementType != x.Shape.ElementType)
        {
            throw Error($"pad: padding value {S(value.Shape)} is not a scalar of the element type of {S(x.Shape)}");
        }

        if (padding.Length != x.Shape.Rank)
        {
            throw Error($"pad: {padding.Length} padding dimensions given for operand {S(x.Shape)}");
        }

        var dims = new long[padding.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = x.Shape.Dims[i];
            var p = padding[i];
            dims[i] = d + p.Low + p.High + (d > 0 ? (d - 1) * p.Interior : 0);
            if (p.Interior < 0 || dims[i] < 0)
            {
                throw Error($"pad: padding {p.Low}_{p.High}_{p.Interior} is invalid for dimension {i} of {S(x.Shape)}");
            }
        }

        return New("pad", Shape.Array(x.Shape.ElementType, dims), [x, value], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Padding = (PadDim[])padding.Clone() });
    }

    /// <summary>Concatenate along <paramref name="dimension"/>.</summary>
    public HloOp Concatenate(long dimension, params HloOp[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Length == 0)
        {
            throw Error("concatenate: no operands");
        }

        var first = xs[0].Shape;
        if (dimension < 0 || dimension >= first.Rank)
        {
            throw Error($"concatenate: dimension {dimension} is out of range for {S(first)}");
        }

        var dims = (long[])first.Dims.Clone();
        for (var k = 1; k < xs.Length; k++)
        {
            var s = xs[k].Shape;
            var ok = s.ElementType == first.ElementType && s.Rank == first.Rank;
            for (var i = 0; ok && i < s.Rank; i++)
            {
                ok = i == dimension || s.Dims[i] == first.Dims[i];
            }

            if (!ok)
            {
                throw Error($"concatenate: operand shapes {S(first)} and {S(s)} do not fit along dimension {dimension}");
            }

            dims[dimension] += s.Dims[dimension];
        }

        return New("concatenate", Shape.Array(first.ElementType, dims), (HloOp[])xs.Clone(), (b, o, sh, ops, n) => new HloOp(b, o, sh, ops, n) { Dimensions = [dimension] });
    }

    /// <summary>A tuple of values.</summary>
    public HloOp Tuple(params HloOp[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return New("tuple", Shape.Tuple([.. xs.Select(x => x.Shape)]), (HloOp[])xs.Clone());
    }

    /// <summary>Element <paramref name="index"/> of a tuple.</summary>
    public HloOp GetTupleElement(HloOp t, int index)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!t.Shape.IsTuple || index < 0 || index >= t.Shape.TupleShapes.Count)
        {
            throw Error($"get-tuple-element: index {index} is out of range for {S(t.Shape)}");
        }

        return New("get-tuple-element", t.Shape.TupleShapes[index], [t], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { TupleIndex = index });
    }

    // ---- element-wise

    /// <summary>An element-wise unary op.</summary>
    public HloOp Unary(UnaryOp op, HloOp x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var opcode = s_unary[(int)op];
        RequireArray(opcode, x);
        if (op != UnaryOp.Negate && op != UnaryOp.Abs && op != UnaryOp.Sign && x.Shape.ElementType != ElementType.F32)
        {
            throw Error($"{opcode}: operand {S(x.Shape)} is not floating point");
        }

        return New(opcode, x.Shape.WithDimensions(x.Shape.Dims), [x]);
    }

    /// <summary>An element-wise binary op; shapes must be equal (no implicit broadcast).</summary>
    public HloOp Binary(BinaryOp op, HloOp a, HloOp b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var opcode = s_binary[(int)op];
        RequireArray(opcode, a);
        RequireArray(opcode, b);
        if (!a.Shape.Compatible(b.Shape))
        {
            throw Error($"{opcode}: operand shapes {S(a.Shape)} and {S(b.Shape)} differ");
        }

        return New(opcode, a.Shape.WithDimensions(a.Shape.Dims), [a, b]);
    }

    /// <summary>a + b.</summary>
    public HloOp Add(HloOp a, HloOp b) => Binary(BinaryOp.Add, a, b);

    /// <summary>a - b.</summary>
    public HloOp Subtract(HloOp a, HloOp b) => Binary(BinaryOp.Subtract, a, b);

    /// <summary>a · b.</summary>
    public HloOp Multiply(HloOp a, HloOp b) => Binary(BinaryOp.Multiply, a, b);

    /// <summary>a / b.</summary>
    public HloOp Divide(HloOp a, HloOp b) => Binary(BinaryOp.Divide, a, b);

    /// <summary>max(a, b).</summary>
    public HloOp Maximum(HloOp a, HloOp b) => Binary(BinaryOp.Maximum, a, b);

    /// <summary>min(a, b).</summary>
    public HloOp Minimum(HloOp a, HloOp b) => Binary(BinaryOp.Minimum, a, b);

    /// <summary>-x.</summary>
    public HloOp Negate(HloOp x) => Unary(UnaryOp.Negate, x);

    /// <summary>e^x.</summary>
    public HloOp Exp(HloOp x) => Unary(UnaryOp.Exponential, x);

    /// <summary>ln x.</summary>
    public HloOp Log(HloOp x) => Unary(UnaryOp.Log, x);

    /// <summary>1/√x.</summary>
    public HloOp Rsqrt(HloOp x) => Unary(UnaryOp.Rsqrt, x);

    /// <summary>√x.</summary>
    public HloOp Sqrt(HloOp x) => Unary(UnaryOp.Sqrt, x);

    /// <summary>sign(x).</summary>
    public HloOp Sign(HloOp x) => Unary(UnaryOp.Sign, x);

    /// <summary>Element-wise comparison giving pred.</summary>
    public HloOp Compare(HloOp a, HloOp b, ComparisonDirection direction)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireArray("compare", a);
        if (!a.Shape.Compatible(b.Shape))
        {
            throw Error($"compare: operand shapes {S(a.Shape)} and {S(b.Shape)} differ");
        }

        return New("compare", a.Shape.WithElementType(ElementType.Pred), [a, b], (bb, o, s, ops, n) => new HloOp(bb, o, s, ops, n) { Direction = direction });
    }

    /// <summary>pred ? onTrue : onFalse, element-wise.</summary>
    public HloOp Select(HloOp pred, HloOp onTrue, HloOp onFalse)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        if (pred.Shape.ElementType != ElementType.Pred || !pred.Shape.Dims.AsSpan().SequenceEqual(onTrue.Shape.Dims) || !onTrue.Shape.Compatible(onFalse.Shape))
        {
            throw Error($"select: shapes {S(pred.Shape)}, {S(onTrue.Shape)} and {S(onFalse.Shape)} do not fit (pred and two equal shapes required)");
        }

        return New("select", onTrue.Shape.WithDimensions(onTrue.Shape.Dims), [pred, onTrue, onFalse]);
    }

    // ---- contractions

    /// <summary>General convolution (one window entry per spatial dimension).</summary>
    public HloOp Convolution(HloOp lhs, HloOp rhs, ConvDims dims, WindowDim[] window, long featureGroupCount = 1, long batchGroupCount = 1)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(window);
        var l = lhs.Shape;
        var r = rhs.Shape;
        var n = dims.InputSpatial.Count;
        string Where() => $"convolution: lhs {S(l)}, rhs {S(r)}, dim_labels={dims.Labels()}";
        if (l.Rank != n + 2 || r.Rank != n + 2 || window.Length != n || dims.KernelSpatial.Count != n || dims.OutputSpatial.Count != n)
        {
            throw Error($"{Where()}: ranks, dimension numbers and {window.Length} window dimensions do not agree");
        }

        if (l.ElementType != r.ElementType)
        {
            throw Error($"{Where()}: element types differ");
        }

        var inFeatures = l.Dims[dims.InputFeature];
        var batch = l.Dims[dims.InputBatch];
        var kIn = r.Dims[dims.KernelInputFeature];
        var kOut = r.Dims[dims.KernelOutputFeature];
        if (featureGroupCount < 1 || batchGroupCount < 1 || inFeatures % featureGroupCount != 0 || kIn * featureGroupCount != inFeatures
            || kOut % featureGroupCount != 0 || batch % batchGroupCount != 0 || kOut % batchGroupCount != 0)
        {
            throw Error($"{Where()}: input features {inFeatures} do not match kernel input features {kIn} x feature_group_count {featureGroupCount} (kernel output features {kOut}, batch {batch}, batch_group_count {batchGroupCount})");
        }

        var outDims = new long[n + 2];
        outDims[dims.OutputBatch] = batch / batchGroupCount;
        outDims[dims.OutputFeature] = kOut;
        for (var i = 0; i < n; i++)
        {
            var w = window[i];
            if (w.Size != r.Dims[dims.KernelSpatial[i]] || w.Stride < 1 || w.WindowDilation < 1 || w.BaseDilation < 1)
            {
                throw Error($"{Where()}: window dimension {i} (size {w.Size}, stride {w.Stride}) does not fit kernel spatial size {r.Dims[dims.KernelSpatial[i]]}");
            }

            var inSize = l.Dims[dims.InputSpatial[i]];
            var baseSize = inSize == 0 ? 0 : ((inSize - 1) * w.BaseDilation) + 1;
            var padded = baseSize + w.PadLow + w.PadHigh;
            var win = ((w.Size - 1) * w.WindowDilation) + 1;
            outDims[dims.OutputSpatial[i]] = padded < win ? 0 : ((padded - win) / w.Stride) + 1;
        }

        return New("convolution", Shape.Array(l.ElementType, outDims), [lhs, rhs], (b, o, s, ops, nm) => new HloOp(b, o, s, ops, nm)
        {
            ConvDims = dims,
            Window = (WindowDim[])window.Clone(),
            FeatureGroupCount = featureGroupCount,
            BatchGroupCount = batchGroupCount,
        });
    }

    /// <summary>General dot: result dims are batch, lhs free, rhs free.</summary>
    public HloOp Dot(HloOp lhs, HloOp rhs, DotDims dims)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(dims);
        var l = lhs.Shape;
        var r = rhs.Shape;
        string Where() => $"dot: lhs {S(l)}, rhs {S(r)}, lhs_contracting_dims={{{string.Join(",", dims.LhsContracting)}}}, rhs_contracting_dims={{{string.Join(",", dims.RhsContracting)}}}";
        if (l.ElementType != r.ElementType || dims.LhsContracting.Count != dims.RhsContracting.Count || dims.LhsBatch.Count != dims.RhsBatch.Count)
        {
            throw Error($"{Where()}: element types or dimension counts differ");
        }

        for (var i = 0; i < dims.LhsContracting.Count; i++)
        {
            if (dims.LhsContracting[i] >= l.Rank || dims.RhsContracting[i] >= r.Rank || l.Dims[dims.LhsContracting[i]] != r.Dims[dims.RhsContracting[i]])
            {
                throw Error($"{Where()}: contracting dimension sizes differ");
            }
        }

        var outDims = new List<long>();
        for (var i = 0; i < dims.LhsBatch.Count; i++)
        {
            if (dims.LhsBatch[i] >= l.Rank || dims.RhsBatch[i] >= r.Rank || l.Dims[dims.LhsBatch[i]] != r.Dims[dims.RhsBatch[i]])
            {
                throw Error($"{Where()}: batch dimension sizes differ");
            }

            outDims.Add(l.Dims[dims.LhsBatch[i]]);
        }

        for (var i = 0; i < l.Rank; i++)
        {
            if (!dims.LhsBatch.Contains(i) && !dims.LhsContracting.Contains(i))
            {
                outDims.Add(l.Dims[i]);
            }
        }

        for (var i = 0; i < r.Rank; i++)
        {
            if (!dims.RhsBatch.Contains(i) && !dims.RhsContracting.Contains(i))
            {
                outDims.Add(r.Dims[i]);
            }
        }

        return New("dot", Shape.Array(l.ElementType, [.. outDims]), [lhs, rhs], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { DotDims = dims });
    }

    // ---- reductions and windows

    private static void CheckReducer(string op, HloComputation reducer, ElementType type)
    {
        var ps = reducer.ParameterShapes;
        if (ps.Count != 2 || ps.Any(p => p.Rank != 0 || p.ElementType != type) || reducer.Root.Shape.Rank != 0 || reducer.Root.Shape.ElementType != type)
        {
            throw Error($"{op}: reducer {reducer.Name} must be ({Shape.TypeName(type)}[], {Shape.TypeName(type)}[]) -> {Shape.TypeName(type)}[]");
        }
    }

    /// <summary>Reduce over <paramref name="dimensions"/> with a scalar reducer.</summary>
    public HloOp Reduce(HloOp x, HloOp init, long[] dimensions, HloComputation reducer)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(reducer);
        RequireArray("reduce", x);
        CheckReducer("reduce", reducer, x.Shape.ElementType);
        if (init.Shape.Rank != 0 || init.Shape.ElementType != x.Shape.ElementType)
        {
            throw Error($"reduce: init value {S(init.Shape)} is not a scalar of the element type of {S(x.Shape)}");
        }

        if (dimensions.Any(d => d < 0 || d >= x.Shape.Rank) || dimensions.Distinct().Count() != dimensions.Length)
        {
            throw Error($"reduce: dimensions={{{string.Join(",", dimensions)}}} are invalid for {S(x.Shape)}");
        }

        var kept = x.Shape.Dims.Where((_, i) => !dimensions.Contains(i)).ToArray();
        var sorted = dimensions.Order().ToArray();
        return New("reduce", Shape.Array(x.Shape.ElementType, kept), [x, init], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Dimensions = sorted, Callees = [reducer] });
    }

    private static long[] WindowOutput(string op, Shape x, WindowDim[] window)
    {
        if (window.Length != x.Rank)
        {
            throw Error($"{op}: {window.Length} window dimensions given for operand {S(x)}");
        }

        var dims = new long[x.Rank];
        for (var i = 0; i < dims.Length; i++)
        {
            var w = window[i];
            if (w.Size < 1 || w.Stride < 1 || w.WindowDilation < 1 || w.BaseDilation < 1)
            {
                throw Error($"{op}: window dimension {i} of operand {S(x)} needs size, stride and dilations of at least 1");
            }

            var baseSize = x.Dims[i] == 0 ? 0 : ((x.Dims[i] - 1) * w.BaseDilation) + 1;
            var padded = baseSize + w.PadLow + w.PadHigh;
            var win = ((w.Size - 1) * w.WindowDilation) + 1;
            dims[i] = padded < win ? 0 : ((padded - win) / w.Stride) + 1;
        }

        return dims;
    }

    /// <summary>Reduce-window with a scalar reducer (one window entry per operand dimension).</summary>
    public HloOp ReduceWindow(HloOp x, HloOp init, WindowDim[] window, HloComputation reducer)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(reducer);
        RequireArray("reduce-window", x);
        CheckReducer("reduce-window", reducer, x.Shape.ElementType);
        var dims = WindowOutput("reduce-window", x.Shape, window);
        return New("reduce-window", Shape.Array(x.Shape.ElementType, dims), [x, init], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Window = (WindowDim[])window.Clone(), Callees = [reducer] });
    }

    /// <summary>Select-and-scatter: the gradient of a max-pool. <paramref name="source"/> has the reduce-window output shape.</summary>
    public HloOp SelectAndScatter(HloOp x, HloOp source, HloOp init, WindowDim[] window, HloComputation select, HloComputation scatter)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(scatter);
        RequireArray("select-and-scatter", x);
        var dims = WindowOutput("select-and-scatter", x.Shape, window);
        if (!source.Shape.Dims.AsSpan().SequenceEqual(dims) || source.Shape.ElementType != x.Shape.ElementType)
        {
            throw Error($"select-and-scatter: source {S(source.Shape)} does not match the window output {S(x.Shape.WithDimensions(dims))} of operand {S(x.Shape)}");
        }

        if (select.Root.Shape.ElementType != ElementType.Pred || select.ParameterShapes.Count != 2)
        {
            throw Error($"select-and-scatter: select computation {select.Name} must return pred[]");
        }

        CheckReducer("select-and-scatter", scatter, x.Shape.ElementType);
        return New("select-and-scatter", x.Shape.WithDimensions(x.Shape.Dims), [x, source, init], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Window = (WindowDim[])window.Clone(), Callees = [select, scatter] });
    }

    /// <summary>rng-bit-generator: (new state, random bits of <paramref name="bitsShape"/>).</summary>
    public HloOp RngBitGenerator(HloOp state, Shape bitsShape, RngAlgorithm algorithm = RngAlgorithm.Default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(bitsShape);
        if (state.Shape.ElementType != ElementType.U64 || state.Shape.Rank != 1 || bitsShape.IsTuple || bitsShape.ElementType is not (ElementType.U32 or ElementType.U64))
        {
            throw Error($"rng-bit-generator: state {S(state.Shape)} must be u64[n] and the output u32/u64 array, got {S(bitsShape)}");
        }

        return New("rng-bit-generator", Shape.Tuple(state.Shape, bitsShape), [state], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { RngAlgorithm = algorithm });
    }

    /// <summary>all-reduce over replica groups (empty: all replicas).</summary>
    public HloOp AllReduce(HloOp x, HloComputation reducer, long[][]? replicaGroups = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(reducer);
        RequireArray("all-reduce", x);
        CheckReducer("all-reduce", reducer, x.Shape.ElementType);
        return New("all-reduce", x.Shape.WithDimensions(x.Shape.Dims), [x], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Callees = [reducer], ReplicaGroups = replicaGroups ?? [] });
    }

    /// <summary>Marks a value as a constant for <see cref="Autodiff"/> and returns it.</summary>
    public static HloOp StopGradient(HloOp x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.StopGradient = true;
        return x;
    }

    // ---- building

    /// <summary>Finishes a called computation with <paramref name="root"/>.</summary>
    public HloComputation BuildComputation(HloOp root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Builder != this)
        {
            throw Error($"root %{root.Name} belongs to computation {root.Builder.ComputationName}, not {ComputationName}");
        }

        // Keep what the root needs plus every parameter, in creation order (operands come first).
        var live = new bool[_ops.Count];
        var stack = new Stack<HloOp>();
        stack.Push(root);
        foreach (var p in _parameters)
        {
            stack.Push(p);
        }

        while (stack.Count > 0)
        {
            var op = stack.Pop();
            if (live[op.Index])
            {
                continue;
            }

            live[op.Index] = true;
            foreach (var o in op.Ops)
            {
                if (!live[o.Index])
                {
                    stack.Push(o);
                }
            }
        }

        var kept = new List<HloOp>(_ops.Count);
        for (var i = 0; i < _ops.Count; i++)
        {
            if (live[i])
            {
                kept.Add(_ops[i]);
            }
        }

        return new HloComputation(ComputationName, kept, root, [.. _parameters]);
    }

    /// <summary>Finishes the module with entry root <paramref name="root"/> and optional parameter→output aliases.</summary>
    public HloModule Build(HloOp root, IReadOnlyList<InputOutputAlias>? aliases = null)
    {
        var entry = BuildComputation(root);
        var alias = aliases ?? [];
        foreach (var a in alias)
        {
            if (a.ParameterNumber < 0 || a.ParameterNumber >= _parameters.Count)
            {
                throw Error($"input_output_alias: parameter {a.ParameterNumber} does not exist (entry has {_parameters.Count})");
            }

            var outShape = root.Shape;
            if (a.OutputIndex >= 0)
            {
                if (!root.Shape.IsTuple || a.OutputIndex >= root.Shape.TupleShapes.Count)
                {
                    throw Error($"input_output_alias: output {{{a.OutputIndex}}} does not exist in {S(root.Shape)}");
                }

                outShape = root.Shape.TupleShapes[a.OutputIndex];
            }

            if (!outShape.Compatible(_parameters[a.ParameterNumber].Shape))
            {
                throw Error($"input_output_alias: output {{{a.OutputIndex}}} {S(outShape)} and parameter {a.ParameterNumber} {S(_parameters[a.ParameterNumber].Shape)} differ");
            }
        }

        return new HloModule(ModuleName, entry, [.. alias]);
    }
}

/// <summary>Output tuple element <paramref name="OutputIndex"/> (-1: the whole result) may reuse parameter <paramref name="ParameterNumber"/>'s buffer.</summary>
public sealed record InputOutputAlias(int OutputIndex, int ParameterNumber, bool MustAlias = false);
