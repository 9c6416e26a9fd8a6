using XlaPrune.Layout;
using XlaPrune.Pjrt;

namespace XlaPrune.Study;

/// <summary>What a plugin does with one tensor placed on its device: its memory layout and on-device size.</summary>
/// <param name="Bytes">On-device size in bytes.</param>
/// <param name="Layout">The plugin's layout in XLA's syntax, e.g. <c>{3,2,1,0}</c> or <c>{0,3,2,1:T(8,128)}</c>.</param>
public sealed record DeviceTensor(long Bytes, string Layout);

/// <summary>Places tensors (zero-filled, of their element type) on a plugin's first device and reads back what it reports.</summary>
public static class DeviceLayoutProbe
{
    /// <summary>The plugin's layout and size of each tensor, by name.</summary>
    public static IReadOnlyDictionary<string, DeviceTensor> Measure(PjrtPlugin plugin, IReadOnlyList<ModelledTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(tensors);
        using var client = plugin.CreateClient();
        var result = new Dictionary<string, DeviceTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            var layout = t.Range.Preferred.Layout;
            var type = layout.Type == ElementType.BF16 ? PjrtElementType.BF16 : PjrtElementType.F32;
            var bytes = new byte[layout.LogicalBytes];
            using var buffer = client.BufferFromHost(bytes, type, [.. layout.Dims]);
            var memory = buffer.GetMemoryLayout();
            var text = "{" + string.Join(",", memory.MinorToMajor)
                + (memory.Tiles.Count > 0 ? ":" + string.Concat(memory.Tiles.Select(x => "T(" + string.Join(",", x) + ")")) : "") + "}";
            result[t.Name] = new DeviceTensor(buffer.OnDeviceSizeInBytes, text);
        }

        return result;
    }
}
