namespace XlaPrune.Hlo;

// Shape ops: broadcast, reshape, transpose, convert, slice, pad, concatenate, tuples.
public sealed partial class HloBuilder
{
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
}
