namespace XlaPrune.Layout;

/// <summary>Direction of tile-aware rounding.</summary>
public enum TileRounding
{
    /// <summary>To the nearest whole number of tiles (512→400 becomes 384).</summary>
    Nearest,

    /// <summary>Down to whole tiles: never keeps a partly filled tile.</summary>
    Down,

    /// <summary>Up to whole tiles: keeps channels that cost no memory anyway.</summary>
    Up,
}

/// <summary>
/// Channel counts that waste least when features are the minor dimension, padded to a multiple of 128
/// (f32 and bf16 alike): 400 channels then take as much memory as 512, 384 take 25% less. Whether XLA
/// keeps a layer feature-minor depends on its width and the per-device batch (docs/layout.md, rule A1);
/// batch-minor layers pad features only to 8, and rounding does not help them.
/// </summary>
public static class TileAwareChannels
{
    /// <summary>The feature padding unit (the minor tile).</summary>
    public static int Unit(ElementType type) => TileRules.Tile(type).Minor;

    /// <summary>
    /// The kept count to use instead of <paramref name="desired"/> for a layer of <paramref name="original"/>
    /// channels. Layers of at most one tile are left as asked (their padded size cannot change).
    /// </summary>
    public static int Round(int original, int desired, TileRounding rounding = TileRounding.Nearest, ElementType type = ElementType.F32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(original, 1);
        desired = Math.Clamp(desired, 1, original);
        var unit = Unit(type);
        if (original <= unit)
        {
            return desired;
        }

        var tiles = rounding switch
        {
            TileRounding.Down => desired / unit,
            TileRounding.Up => (desired + unit - 1) / unit,
            _ => (desired + (unit / 2)) / unit,
        };
        return Math.Clamp(Math.Max(1, tiles) * unit, 1, original);
    }

    /// <summary>Padded size of a channel count in the minor dimension.</summary>
    public static long PaddedChannels(int channels, ElementType type = ElementType.F32)
    {
        var unit = Unit(type);
        return (channels + unit - 1L) / unit * unit;
    }
}
