using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// What a plugin says about one device (a <c>PJRT_DeviceDescription</c>), read into managed values: the devices of a
/// <see cref="PjrtTopology"/> exist only as descriptions, and a <see cref="PjrtDevice"/> reads its own through the same calls.
/// </summary>
/// <param name="Id">Global device id (what a device assignment names).</param>
/// <param name="ProcessIndex">Index of the process that owns the device.</param>
/// <param name="Kind">Vendor-defined device kind, for example <c>cpu</c> or <c>TPU v5 lite</c>.</param>
/// <param name="DebugString">A detailed description for logs.</param>
/// <param name="Attributes">Attributes (values are string, long, long[], float or bool), for example TPU <c>coords</c>.</param>
public sealed record PjrtDeviceDescription(int Id, int ProcessIndex, string Kind, string DebugString, IReadOnlyDictionary<string, object> Attributes)
{
    internal static unsafe PjrtDeviceDescription Read(PjrtPlugin plugin, PJRT_DeviceDescription* description) =>
        new(IdOf(plugin, description), ProcessIndexOf(plugin, description), KindOf(plugin, description),
            DebugStringOf(plugin, description), AttributesOf(plugin, description));

    internal static unsafe int IdOf(PjrtPlugin plugin, PJRT_DeviceDescription* description) =>
        plugin.Call(&plugin.Api->PJRT_DeviceDescription_Id, new PJRT_DeviceDescription_Id_Args { device_description = description }).id;

    internal static unsafe int ProcessIndexOf(PjrtPlugin plugin, PJRT_DeviceDescription* description) =>
        plugin.Call(&plugin.Api->PJRT_DeviceDescription_ProcessIndex, new PJRT_DeviceDescription_ProcessIndex_Args { device_description = description })
            .process_index;

    internal static unsafe string KindOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var args = plugin.Call(&plugin.Api->PJRT_DeviceDescription_Kind, new PJRT_DeviceDescription_Kind_Args { device_description = description });
        return NativeText.Read(args.device_kind, args.device_kind_size);
    }

    internal static unsafe string DebugStringOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var args = plugin.Call(&plugin.Api->PJRT_DeviceDescription_DebugString, new PJRT_DeviceDescription_DebugString_Args { device_description = description });
        return NativeText.Read(args.debug_string, args.debug_string_size);
    }

    internal static unsafe IReadOnlyDictionary<string, object> AttributesOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var args = plugin.Call(&plugin.Api->PJRT_DeviceDescription_Attributes, new PJRT_DeviceDescription_Attributes_Args { device_description = description });
        return PjrtNamedValues.Read(args.attributes, args.num_attributes);
    }
}
