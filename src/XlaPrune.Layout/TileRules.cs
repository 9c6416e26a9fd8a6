using System.Globalization;

namespace XlaPrune.Layout;

/// <summary>Element types the layout model knows.</summary>
public enum ElementType
{
    /// <summary>32-bit float.</summary>
    F32,

    /// <summary>bfloat16, two per 32-bit word.</summary>
    BF16,
}

/// <summary>
/// The tiling rules, as data. Each rule names its source (see docs/layout.md for the citations):
/// [T1] XLA docs/tiled_layout.md: 8x128 tiles on the two minor-most physical dimensions match the
/// 32-bit 8x128 vector registers; [T2] same doc, "compact 2nd minor layout": a second-minor
/// dimension of 1-2 uses 2x128 tiles, of 3-4 uses 4x128; [T3] same doc: bf16 uses (8,128)(2,1),
/// the (2,1) sub-tile packing two rows into one 32-bit word; [T4] rank-1 arrays in public TPU HLO
/// print as f32[128]{0:T(128)}; [T5] scalars print as f32[]{:T(256)}.
/// </summary>
public static class TileRules
{
    /// <summary>Second-minor and minor tile sizes for rank ≥ 2 ([T1], [T3]).</summary>
    public static (int SecondMinor, int Minor) Tile(ElementType type) => type switch
    {
        ElementType.F32 => (8, 128),
        ElementType.BF16 => (8, 128), // plus the (2,1) packing sub-tile, which adds no padding of its own
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The second-minor tile after compaction for small dimensions ([T2]).</summary>
    public static int SecondMinorTile(ElementType type, long secondMinorSize)
    {
        var (full, _) = Tile(type);
        return secondMinorSize <= 2 ? 2 : secondMinorSize <= 4 ? 4 : full;
    }

    /// <summary>Tile of a rank-1 array ([T4]).</summary>
    public const int RankOneTile = 128;

    /// <summary>Elements a scalar occupies ([T5]).</summary>
    public const int ScalarTile = 256;

    /// <summary>Bytes of one element.</summary>
    public static int ElementBytes(ElementType type) => type == ElementType.F32 ? 4 : 2;

    /// <summary>XLA's spelling, e.g. <c>f32</c>.</summary>
    public static string Spelling(ElementType type) => type == ElementType.F32 ? "f32" : "bf16";

    /// <summary>Parses <c>f32</c> or <c>bf16</c>.</summary>
    public static ElementType Parse(string text) => text switch
    {
        "f32" => ElementType.F32,
        "bf16" => ElementType.BF16,
        _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown element type '{text}' (known: f32, bf16)")),
    };
}
