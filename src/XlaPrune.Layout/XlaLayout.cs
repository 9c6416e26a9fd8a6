using System.Globalization;
using System.Text;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Layout;

/// <summary>
/// A layout as a compiler chose it, in the terms of XLA's <c>LayoutProto</c> and its text form
/// <c>{3,0,2,1:T(8,128)(2,1)E(32)S(1)}</c>: dimension order, tiles (the first applies to the minor-most dimensions
/// in layout order, later ones subdivide it), element size, memory space and tail padding.
/// </summary>
/// <param name="MinorToMajor">Dimension numbers from minor-most to major-most.</param>
/// <param name="Tiles">Tiles, each major to minor; <see cref="CombinedDimension"/> stands for XLA's <c>*</c>.</param>
/// <param name="ElementSizeInBits">Bits per element when the layout overrides the type's size (<c>E(32)</c> for pred); 0 otherwise.</param>
/// <param name="MemorySpace">Memory space (<c>S(1)</c>, for example VMEM on a TPU); 0 is the default (HBM).</param>
/// <param name="TailPaddingAlignmentInElements">Element count alignment (<c>L(n)</c>); 1 or 0 means none.</param>
public sealed record XlaLayout(
    IReadOnlyList<int> MinorToMajor,
    IReadOnlyList<IReadOnlyList<long>> Tiles,
    long ElementSizeInBits = 0,
    long MemorySpace = 0,
    long TailPaddingAlignmentInElements = 1)
{
    /// <summary>XLA's tile dimension that combines a dimension with the next minor one (printed <c>*</c>).</summary>
    public const long CombinedDimension = long.MinValue;

    /// <summary>The dense row-major layout of a rank: minor_to_major = rank-1, ..., 0; no tiles.</summary>
    public static XlaLayout RowMajor(int rank) => new([.. Enumerable.Range(0, rank).Reverse()], []);

    /// <summary>Reads a <c>LayoutProto</c> (minor_to_major = 1, tiles = 6, element_size_in_bits = 7, memory_space = 8, tail padding = 16).</summary>
    public static XlaLayout FromProto(LayoutProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        return new XlaLayout(
            [.. proto.MinorToMajor.Select(d => checked((int)d))],
            [.. proto.Tiles.Select(t => (IReadOnlyList<long>)[.. t.Dimensions])],
            proto.ElementSizeInBits,
            proto.MemorySpace,
            proto.TailPaddingAlignmentInElements == 0 ? 1 : proto.TailPaddingAlignmentInElements);
    }

    /// <summary>Parses XLA's text form, braces included: <c>{1,0:T(8,128)(2,1)}</c>, <c>{0:T(256)}</c>, <c>{:T(256)}</c>, <c>{}</c>.</summary>
    /// <exception cref="FormatException">The text is not a layout; the message says where.</exception>
    public static XlaLayout Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new XlaTextReader(text);
        var layout = reader.ReadLayout();
        reader.ExpectEnd();
        return layout;
    }

    /// <inheritdoc/>
    public bool Equals(XlaLayout? other) =>
        other is not null && MinorToMajor.SequenceEqual(other.MinorToMajor) && Tiles.Count == other.Tiles.Count
        && Tiles.Zip(other.Tiles).All(p => p.First.SequenceEqual(p.Second)) && ElementSizeInBits == other.ElementSizeInBits
        && MemorySpace == other.MemorySpace && TailPaddingAlignmentInElements == other.TailPaddingAlignmentInElements;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MinorToMajor.Count, Tiles.Count, ElementSizeInBits, MemorySpace);

    /// <summary>XLA's text form with braces; parts at their default are left out, as XLA prints them.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        sb.AppendJoin(',', MinorToMajor.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var suffix = new StringBuilder();
        foreach (var tile in Tiles)
        {
            suffix.Append(suffix.Length == 0 ? "T(" : "(").AppendJoin(',', tile.Select(t => t == CombinedDimension ? "*" : t.ToString(CultureInfo.InvariantCulture))).Append(')');
        }

        if (TailPaddingAlignmentInElements > 1)
        {
            suffix.Append(CultureInfo.InvariantCulture, $"L({TailPaddingAlignmentInElements})");
        }

        if (ElementSizeInBits != 0)
        {
            suffix.Append(CultureInfo.InvariantCulture, $"E({ElementSizeInBits})");
        }

        if (MemorySpace != 0)
        {
            suffix.Append(CultureInfo.InvariantCulture, $"S({MemorySpace})");
        }

        if (suffix.Length > 0)
        {
            sb.Append(':').Append(suffix);
        }

        return sb.Append('}').ToString();
    }
}
