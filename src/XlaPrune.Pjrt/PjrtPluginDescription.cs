namespace XlaPrune.Pjrt;

// Display: a summary of the plugin and a client of it (xlaprune plugin info).
public sealed unsafe partial class PjrtPlugin
{
    /// <summary>
    /// Everything a user wants to see about the plugin: versions, attributes, and the devices and memories of a
    /// client created for the purpose (and disposed before returning).
    /// </summary>
    public PjrtPluginDescription Describe(IReadOnlyDictionary<string, object>? options = null)
    {
        using var client = CreateClient(options);
        var devices = client.Devices.Select(d => new PjrtDeviceInfo(d.Id, d.Kind, d.ProcessIndex, d.IsAddressable, d.Attributes)).ToList();
        IReadOnlyList<PjrtMemoryInfo> memories;
        try
        {
            memories = client.AddressableMemories.Select(m => new PjrtMemoryInfo(m.Id, m.Kind, m.AddressableByDevices.Select(d => d.Id).ToList())).ToList();
        }
        catch (PjrtException e) when (e.Code == PjrtErrorCode.Unimplemented)
        {
            memories = [];
        }

        return new PjrtPluginDescription(Path, MajorVersion, MinorVersion, ApiStructSize, Attributes,
            client.PlatformName, client.PlatformVersion, devices, memories);
    }
}

/// <summary>A summary of a plugin for display (<c>xlaprune plugin info</c>).</summary>
/// <param name="Path">Where the library was loaded from.</param>
/// <param name="MajorVersion">PJRT API major version of the plugin.</param>
/// <param name="MinorVersion">PJRT API minor version of the plugin.</param>
/// <param name="ApiStructSize">Size of the plugin's function table in bytes.</param>
/// <param name="Attributes">Plugin attributes.</param>
/// <param name="PlatformName">The client's platform name (for example <c>cpu</c>).</param>
/// <param name="PlatformVersion">The client's platform version string.</param>
/// <param name="Devices">Every device the client sees.</param>
/// <param name="Memories">Every memory addressable by the client.</param>
public sealed record PjrtPluginDescription(
    string Path,
    int MajorVersion,
    int MinorVersion,
    long ApiStructSize,
    IReadOnlyDictionary<string, object> Attributes,
    string PlatformName,
    string PlatformVersion,
    IReadOnlyList<PjrtDeviceInfo> Devices,
    IReadOnlyList<PjrtMemoryInfo> Memories);

/// <summary>A device as shown by <see cref="PjrtPlugin.Describe"/>.</summary>
/// <param name="Id">Global device id.</param>
/// <param name="Kind">Device kind (vendor-defined, for example <c>cpu</c>).</param>
/// <param name="ProcessIndex">Index of the process that owns the device.</param>
/// <param name="IsAddressable">Whether this process can use the device.</param>
/// <param name="Attributes">Device description attributes.</param>
public sealed record PjrtDeviceInfo(int Id, string Kind, int ProcessIndex, bool IsAddressable, IReadOnlyDictionary<string, object> Attributes);

/// <summary>A memory as shown by <see cref="PjrtPlugin.Describe"/>.</summary>
/// <param name="Id">Memory id.</param>
/// <param name="Kind">Memory kind (for example <c>device</c>, <c>pinned_host</c>).</param>
/// <param name="DeviceIds">Ids of the devices that can address this memory.</param>
public sealed record PjrtMemoryInfo(int Id, string Kind, IReadOnlyList<int> DeviceIds);
