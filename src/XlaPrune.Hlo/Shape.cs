using System.Globalization;
using System.Text;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo;

/// <summary>Element types the builder knows; values equal XLA's PrimitiveType numbers.</summary>
public enum ElementType
{
    /// <summary>Boolean.</summary>
    Pred = 1,

    /// <summary>Signed 32-bit integer.</summary>
    S32 = 4,

    /// <summary>Unsigned 32-bit integer.</summary>
    U32 = 8,

    /// <summary>Unsigned 64-bit integer.</summary>
    U64 = 9,

    /// <summary>32-bit float.</summary>
    F32 = 11,

    /// <summary>A tuple (no elements of its own).</summary>
    Tuple = 13,
}

/// <summary>A tile of a tiled layout, dimensions major to minor, applied to a suffix of the shape's dimensions.</summary>
public sealed record Tile(IReadOnlyList<long> Dimensions)
{
    /// <inheritdoc/>
    public bool Equals(Tile? other) => other is not null && Dimensions.SequenceEqual(other.Dimensions);

    /// <inheritdoc/>
    public override int GetHashCode() => Dimensions.Count;

    /// <inheritdoc/>
    public override string ToString() => "T(" + string.Join(",", Dimensions) + ")";
}

/// <summary>An array layout: minor-to-major order and optional tiles.</summary>
public sealed record Layout(IReadOnlyList<long> MinorToMajor, IReadOnlyList<Tile> Tiles)
{
    /// <summary>The default (row-major) layout of a rank: rank-1, ..., 0.</summary>
    public static Layout Default(int rank)
    {
        var m = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            m[i] = rank - 1 - i;
        }

        return new Layout(m, []);
    }

    /// <inheritdoc/>
    public bool Equals(Layout? other) => other is not null && MinorToMajor.SequenceEqual(other.MinorToMajor) && Tiles.SequenceEqual(other.Tiles);

    /// <inheritdoc/>
    public override int GetHashCode() => MinorToMajor.Count;

    /// <summary>HLO text form without braces, e.g. <c>1,0:T(8,128)</c>.</summary>
    public override string ToString()
    {
        var s = string.Join(",", MinorToMajor);
        return Tiles.Count == 0 ? s : s + ":" + string.Concat(Tiles.Select(t => t.ToString()));
    }

    internal LayoutProto ToProto()
    {
        var p = new LayoutProto();
        p.MinorToMajor.AddRange(MinorToMajor);
        foreach (var t in Tiles)
        {
            var tp = new TileProto();
            tp.Dimensions.AddRange(t.Dimensions);
            p.Tiles.Add(tp);
        }

        return p;
    }
}

/// <summary>An immutable array or tuple shape. Arrays always carry a layout (the default unless given).</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly long[] _dims;
    private readonly Shape[] _tuple;

    private Shape(ElementType type, long[] dims, Layout? layout, Shape[] tuple)
    {
        ElementType = type;
        _dims = dims;
        _tuple = tuple;
        Layout = layout;
    }

    /// <summary>Element type (Tuple for tuples).</summary>
    public ElementType ElementType { get; }

    /// <summary>Dimensions, major to minor (empty for scalars and tuples).</summary>
    public IReadOnlyList<long> Dimensions => _dims;

    /// <summary>Layout of an array shape; null for tuples.</summary>
    public Layout? Layout { get; }

    /// <summary>Element shapes of a tuple.</summary>
    public IReadOnlyList<Shape> TupleShapes => _tuple;

    /// <summary>Whether this is a tuple.</summary>
    public bool IsTuple => ElementType == ElementType.Tuple;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Number of elements of an array.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _dims)
            {
                n *= d;
            }

            return n;
        }
    }

    internal long[] Dims => _dims;

    /// <summary>An array shape with the default layout.</summary>
    public static Shape Array(ElementType type, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (type == ElementType.Tuple)
        {
            throw new ArgumentException("an array shape cannot have element type tuple", nameof(type));
        }

        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension {d} in shape {type.ToString().ToLowerInvariant()}[{string.Join(",", dims)}]", nameof(dims));
            }
        }

        return new Shape(type, (long[])dims.Clone(), Layout.Default(dims.Length), []);
    }

    /// <summary>An f32 array shape.</summary>
    public static Shape F32(params long[] dims) => Array(ElementType.F32, dims);

    /// <summary>A scalar shape.</summary>
    public static Shape Scalar(ElementType type) => Array(type);

    /// <summary>A tuple shape.</summary>
    public static Shape Tuple(params Shape[] elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return new Shape(ElementType.Tuple, [], null, (Shape[])elements.Clone());
    }

    /// <summary>The same array shape with another layout.</summary>
    public Shape WithLayout(Layout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (IsTuple)
        {
            throw new InvalidOperationException("a tuple shape has no layout");
        }

        if (layout.MinorToMajor.Count != Rank || layout.MinorToMajor.Order().Select((v, i) => v == i).Any(ok => !ok))
        {
            throw new ArgumentException($"layout {{{layout}}} is not a permutation of the {Rank} dimensions of {this}", nameof(layout));
        }

        return new Shape(ElementType, _dims, layout, []);
    }

    /// <summary>The same element type with other dimensions (default layout).</summary>
    public Shape WithDimensions(params long[] dims) => Array(ElementType, dims);

    /// <summary>The same dimensions with another element type (default layout).</summary>
    public Shape WithElementType(ElementType type) => Array(type, _dims);

    /// <summary>Equal element types and dimensions (layouts ignored), recursively for tuples.</summary>
    public bool Compatible(Shape other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ElementType != other.ElementType || !_dims.AsSpan().SequenceEqual(other._dims) || _tuple.Length != other._tuple.Length)
        {
            return false;
        }

        for (var i = 0; i < _tuple.Length; i++)
        {
            if (!_tuple[i].Compatible(other._tuple[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && Compatible(other) && Equals(Layout, other.Layout)
        && _tuple.Zip(other._tuple).All(p => p.First.Equals(p.Second));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ElementType, _dims.Length, _tuple.Length);

    /// <summary>Type name as in HLO text, e.g. <c>f32</c>.</summary>
    public static string TypeName(ElementType type) => type switch
    {
        ElementType.Pred => "pred",
        ElementType.S32 => "s32",
        ElementType.U32 => "u32",
        ElementType.U64 => "u64",
        ElementType.F32 => "f32",
        _ => "tuple",
    };

    /// <summary>HLO text form with layout, e.g. <c>f32[8,3,32,32]{3,2,1,0}</c>, <c>f32[]</c>, <c>(f32[2]{0}, s32[])</c>.</summary>
    public override string ToString() => ToText(withLayout: true);

    /// <summary>HLO text form, with or without array layouts.</summary>
    public string ToText(bool withLayout)
    {
        var sb = new StringBuilder();
        Append(sb, withLayout);
        return sb.ToString();
    }

    internal void Append(StringBuilder sb, bool withLayout)
    {
        if (IsTuple)
        {
            sb.Append('(');
            for (var i = 0; i < _tuple.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                _tuple[i].Append(sb, withLayout);
            }

            sb.Append(')');
            return;
        }

        sb.Append(TypeName(ElementType)).Append('[');
        for (var i = 0; i < _dims.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(_dims[i].ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(']');
        if (withLayout && _dims.Length > 0 && Layout is not null)
        {
            sb.Append('{').Append(Layout.ToString()).Append('}');
        }
    }

    /// <summary>The ShapeProto: arrays with their layout (scalars an empty one), tuples without.</summary>
    public ShapeProto ToProto()
    {
        var p = new ShapeProto { ElementType = (PrimitiveType)(int)ElementType };
        if (IsTuple)
        {
            foreach (var t in _tuple)
            {
                p.TupleShapes.Add(t.ToProto());
            }

            return p;
        }

        p.Dimensions.AddRange(_dims);
        p.Layout = (Layout ?? Layout.Default(Rank)).ToProto();
        return p;
    }
}
