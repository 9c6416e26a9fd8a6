using System.Globalization;
using System.Text;

namespace XlaPrune.Layout;

/// <summary>
/// A tensor's layout as XLA writes it: <c>f32[128,64,32,32]{1,0,3,2:T(8,128)}</c>. Physical order is
/// <see cref="MinorToMajor"/> reversed; the tile applies to the two minor-most physical dimensions,
/// each padded up to a multiple of its tile size.
/// </summary>
/// <param name="Type">Element type.</param>
/// <param name="Dims">Logical dimensions.</param>
/// <param name="MinorToMajor">Dimension numbers from minor-most to major-most.</param>
/// <param name="Tile">Tile sizes, major to minor (two entries for rank ≥ 2, one for rank 1, one for scalars).</param>
public sealed record TiledLayout(ElementType Type, IReadOnlyList<long> Dims, IReadOnlyList<int> MinorToMajor, IReadOnlyList<int> Tile)
{
    /// <summary>Bytes without padding.</summary>
    public long LogicalBytes => Dims.Aggregate(1L, (a, d) => checked(a * d)) * TileRules.ElementBytes(Type);

    /// <summary>Bytes once the tiled dimensions are padded: ∏ major dims × ⌈p₂/t₂⌉t₂ × ⌈p₁/t₁⌉t₁ × element size.</summary>
    public long PaddedBytes
    {
        get
        {
            var bytes = (long)TileRules.ElementBytes(Type);
            if (Dims.Count == 0)
            {
                return bytes * Tile[0];
            }

            // Walk physical dimensions from minor to major; the first Tile.Count of them are padded.
            for (var k = 0; k < MinorToMajor.Count; k++)
            {
                var d = Dims[MinorToMajor[k]];
                var t = k < Tile.Count ? Tile[Tile.Count - 1 - k] : 1;
                bytes = checked(bytes * ((d + t - 1) / t * t));
            }

            return bytes;
        }
    }

    /// <summary>XLA's text form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(TileRules.Spelling(Type)).Append('[').AppendJoin(',', Dims.Select(d => d.ToString(CultureInfo.InvariantCulture))).Append("]{");
        sb.AppendJoin(',', MinorToMajor.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        sb.Append(":T(").AppendJoin(',', Tile.Select(t => t.ToString(CultureInfo.InvariantCulture))).Append(')');
        if (Type == ElementType.BF16 && Dims.Count >= 2)
        {
            sb.Append("(2,1)"); // the packing sub-tile [T3]: two rows per 32-bit word, no padding of its own
        }

        sb.Append('}');
        return sb.ToString();
    }
}
