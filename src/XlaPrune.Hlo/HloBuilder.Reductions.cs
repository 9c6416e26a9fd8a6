namespace XlaPrune.Hlo;

// Reductions, windows, random bits and collectives.
public sealed partial class HloBuilder
{
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
}
