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

    internal static unsafe int IdOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var api = plugin.Api;
        PJRT_DeviceDescription_Id_Args args = default;
        args.struct_size = PJRT_DeviceDescription_Id_Args.STRUCT_SIZE;
        args.device_description = description;
        plugin.Require(&api->PJRT_DeviceDescription_Id);
        plugin.Check(api->PJRT_DeviceDescription_Id(&args));
        return args.id;
    }

    internal static unsafe int ProcessIndexOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var api = plugin.Api;
        PJRT_DeviceDescription_ProcessIndex_Args args = default;
        args.struct_size = PJRT_DeviceDescription_ProcessIndex_Args.STRUCT_SIZE;
        args.device_description = description;
        plugin.Require(&api->PJRT_DeviceDescription_ProcessIndex);
        plugin.Check(api->PJRT_DeviceDescription_ProcessIndex(&args));
        return args.process_index;
    }

    internal static unsafe string KindOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var api = plugin.Api;
        PJRT_DeviceDescription_Kind_Args args = default;
        args.struct_size = PJRT_DeviceDescription_Kind_Args.STRUCT_SIZE;
        args.device_description = description;
        plugin.Require(&api->PJRT_DeviceDescription_Kind);
        plugin.Check(api->PJRT_DeviceDescription_Kind(&args));
        return NativeText.Read(args.device_kind, args.device_kind_size);
    }

    internal static unsafe string DebugStringOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var api = plugin.Api;
        PJRT_DeviceDescription_DebugString_Args args = default;
        args.struct_size = PJRT_DeviceDescription_DebugString_Args.STRUCT_SIZE;
        args.device_description = description;
        plugin.Require(&api->PJRT_DeviceDescription_DebugString);
        plugin.Check(api->PJRT_DeviceDescription_DebugString(&args));
        return NativeText.Read(args.debug_string, args.debug_string_size);
    }

    internal static unsafe IReadOnlyDictionary<string, object> AttributesOf(PjrtPlugin plugin, PJRT_DeviceDescription* description)
    {
        var api = plugin.Api;
        PJRT_DeviceDescription_Attributes_Args args = default;
        args.struct_size = PJRT_DeviceDescription_Attributes_Args.STRUCT_SIZE;
        args.device_description = description;
        plugin.Require(&api->PJRT_DeviceDescription_Attributes);
        plugin.Check(api->PJRT_DeviceDescription_Attributes(&args));
        return PjrtNamedValues.Read(args.attributes, args.num_attributes);
    }
}
