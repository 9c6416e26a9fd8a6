using XlaPrune.Layout;
using XlaPrune.Models;

namespace XlaPrune.Pruning;

/// <summary>Plan rounding to whole 128-channel TPU tiles (nearest): the layout model's tile rule applied to kept counts.</summary>
public sealed class TileAwareRounding : IKeptCountRounding
{
    /// <inheritdoc/>
    public int Round(ConvLayerSpec layer, int kept)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return TileAwareChannels.Round(layer.OutChannels, kept);
    }
}
