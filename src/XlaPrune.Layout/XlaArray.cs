using System.Globalization;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Layout;

/// <summary>
/// One array as a compiler laid it out: element type (XLA spelling), dimensions and layout; its logical bytes and the
/// bytes its layout occupies.
/// </summary>
/// <param name="Type">Element type as XLA spells it: <c>f32</c>, <c>bf16</c>, <c>pred</c>, <c>s8</c>, ...</param>
/// <param name="Dims">Logical dimensions.</param>
/// <param name="Layout">The layout, or null when none was given (dense, nothing padded).</param>
public sealed record XlaArray(string Type, IReadOnlyList<long> Dims, XlaLayout? Layout)
{
    /// <summary>Bits of one element of an XLA type; throws for types that hold no array data (tuple, token).</summary>
    public static int ElementBits(string type) => type switch
    {
        "pred" or "s8" or "u8" => 8,
        "s1" or "u1" => 1,
        "s2" or "u2" => 2,
        "s4" or "u4" or "f4e2m1fn" => 4,
        "f6e2m3fn" or "f6e3m2fn" => 6,
        "s16" or "u16" or "f16" or "bf16" => 16,
        "s32" or "u32" or "f32" => 32,
        "s64" or "u64" or "f64" or "c64" => 64,
        "c128" => 128,
        _ when type.StartsWith("f8", StringComparison.Ordinal) => 8,
        _ => throw new FormatException($"unknown element type '{type}'"),
    };

    /// <summary>Parses one array shape in XLA text (<c>f32[128,256,896,18]{0,3,2,1:T(8,128)}</c>).</summary>
    /// <exception cref="FormatException">Not an array shape; the message says where.</exception>
    public static XlaArray Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new XlaTextReader(text);
        var shape = reader.ReadShape();
        reader.ExpectEnd();
        return shape.Array ?? throw new FormatException($"'{text}' is a tuple, not an array");
    }

    /// <summary>The array of an array-typed <c>ShapeProto</c>; null for tuples, tokens and opaque values.</summary>
    public static XlaArray? FromProto(ShapeProto shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.ElementType is PrimitiveType.Tuple or PrimitiveType.Token or PrimitiveType.OpaqueType or PrimitiveType.Invalid)
        {
            return null;
        }

        return new XlaArray(shape.ElementType.ToString().ToLowerInvariant(), [.. shape.Dimensions],
            shape.Layout is null ? null : XlaLayout.FromProto(shape.Layout));
    }

    /// <summary>The shape without its layout, as XLA prints it: <c>f32[128,256]</c>.</summary>
    public string ShapeText => Type + "[" + string.Join(",", Dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Bytes of the elements with no padding (sub-byte types rounded up to whole bytes).</summary>
    public long LogicalBytes => CeilBytes(Dims.Aggregate(1L, (a, d) => checked(a * d)), ElementBits(Type));

    /// <summary>
    /// Bytes the layout occupies. The first tile (t₁…t_k, major to minor) pads the k minor-most dimensions in layout
    /// order, dimension by dimension, to multiples of the tile (a scalar or low-rank array counts missing dimensions as
    /// 1, so <c>f32[]{:T(256)}</c> occupies 256 elements); the remaining dimensions are multiplied in unpadded. Later
    /// tiles (<c>(2,1)</c> for bf16) subdivide the first and add no padding when they divide it, as XLA assumes for
    /// sizes. <c>E(bits)</c> overrides the element size; <c>L(n)</c> rounds the element count up to a multiple of n.
    /// </summary>
    public long PaddedBytes
    {
        get
        {
            var bits = Layout is { ElementSizeInBits: > 0 } l ? (int)l.ElementSizeInBits : ElementBits(Type);
            if (Layout is null || Layout.Tiles.Count == 0)
            {
                return CeilBytes(Align(Dims.Aggregate(1L, (a, d) => checked(a * d))), bits);
            }

            if (Layout.MinorToMajor.Count != Dims.Count)
            {
                throw new FormatException($"layout {Layout} has {Layout.MinorToMajor.Count} dimensions but {ShapeText} has {Dims.Count}");
            }

            var tile = Layout.Tiles[0];
            var elements = 1L;
            var k = 0;
            for (; k < tile.Count; k++)
            {
                var size = k < Dims.Count ? Dims[Layout.MinorToMajor[k]] : 1;
                var t = tile[tile.Count - 1 - k];
                elements = checked(elements * (t <= 0 ? size : (size + t - 1) / t * t));
            }

            for (; k < Dims.Count; k++)
            {
                elements = checked(elements * Dims[Layout.MinorToMajor[k]]);
            }

            return CeilBytes(Align(elements), bits);
        }
    }

    private long Align(long elements)
    {
        var n = Layout?.TailPaddingAlignmentInElements ?? 1;
        return n > 1 ? (elements + n - 1) / n * n : elements;
    }

    private static long CeilBytes(long elements, int bits) => checked((elements * bits + 7) / 8);

    /// <summary>XLA's text form: shape and layout.</summary>
    public override string ToString() => ShapeText + (Layout?.ToString() ?? "");
}
