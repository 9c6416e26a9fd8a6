using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A device of a client: a non-owning view of a <c>PJRT_Device</c> that is valid while its client lives
/// (using it after the client's native object is gone throws <see cref="ObjectDisposedException"/>).
/// </summary>
public sealed unsafe class PjrtDevice : IEquatable<PjrtDevice>
{
    private readonly PjrtClient _client;
    private readonly PJRT_Device* _device;

    internal PjrtDevice(PjrtClient client, PJRT_Device* device)
    {
        _client = client;
        _device = device;
    }

    /// <summary>The client this device belongs to.</summary>
    public PjrtClient Client => _client;

    internal PJRT_Device* Pointer
    {
        get
        {
            _ = _client.Pointer; // throws once the client is gone
            return _device;
        }
    }

    private PjrtPlugin Plugin => _client.Plugin;

    private PJRT_Api* Api => _client.Api;

    private PJRT_DeviceDescription* Description
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Device_GetDescription, new PJRT_Device_GetDescription_Args { device = Pointer });
            return args.device_description;
        }
    }

    /// <summary>Global device id.</summary>
    public int Id => PjrtDeviceDescription.IdOf(Plugin, Description);

    /// <summary>Index of the process that owns this device.</summary>
    public int ProcessIndex => PjrtDeviceDescription.ProcessIndexOf(Plugin, Description);

    /// <summary>Vendor-defined device kind, for example <c>cpu</c> or a TPU generation.</summary>
    public string Kind => PjrtDeviceDescription.KindOf(Plugin, Description);

    /// <summary>A detailed description for logs.</summary>
    public string DebugString => PjrtDeviceDescription.DebugStringOf(Plugin, Description);

    /// <summary>Device description attributes (values are string, long, long[], float or bool).</summary>
    public IReadOnlyDictionary<string, object> Attributes => PjrtDeviceDescription.AttributesOf(Plugin, Description);

    /// <summary>Whether this process can use the device.</summary>
    public bool IsAddressable => Plugin.Call(&Api->PJRT_Device_IsAddressable, new PJRT_Device_IsAddressable_Args { device = Pointer }).is_addressable;

    /// <summary>The device's hardware id local to its process (-1 if it has none).</summary>
    public int LocalHardwareId => Plugin.Call(&Api->PJRT_Device_LocalHardwareId, new PJRT_Device_LocalHardwareId_Args { device = Pointer }).local_hardware_id;

    /// <summary>Memories this device can address.</summary>
    public IReadOnlyList<PjrtMemory> AddressableMemories
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Device_AddressableMemories, new PJRT_Device_AddressableMemories_Args { device = Pointer });
            return _client.MemoriesFor(args.memories, args.num_memories);
        }
    }

    /// <summary>The memory buffers go to by default.</summary>
    public PjrtMemory DefaultMemory
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Device_DefaultMemory, new PJRT_Device_DefaultMemory_Args { device = Pointer });
            return _client.MemoryFor(args.memory);
        }
    }

    /// <summary>Current allocator statistics of the device (<c>PJRT_Device_MemoryStats</c>).</summary>
    public PjrtMemoryStats GetMemoryStats()
    {
        var args = Plugin.Call(&Api->PJRT_Device_MemoryStats, new PJRT_Device_MemoryStats_Args { device = Pointer });
        return new PjrtMemoryStats(
            args.bytes_in_use,
            args.peak_bytes_in_use_is_set ? args.peak_bytes_in_use : null,
            args.num_allocs_is_set ? args.num_allocs : null,
            args.largest_alloc_size_is_set ? args.largest_alloc_size : null,
            args.bytes_limit_is_set ? args.bytes_limit : null,
            args.bytes_reserved_is_set ? args.bytes_reserved : null,
            args.peak_bytes_reserved_is_set ? args.peak_bytes_reserved : null,
            args.largest_free_block_bytes_is_set ? args.largest_free_block_bytes : null);
    }

    /// <inheritdoc/>
    public bool Equals(PjrtDevice? other) => other is not null && other._device == _device && ReferenceEquals(other._client, _client);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PjrtDevice);

    /// <inheritdoc/>
    public override int GetHashCode() => ((nint)_device).GetHashCode();

    /// <inheritdoc/>
    public override string ToString()
    {
        var args = Plugin.Call(&Api->PJRT_DeviceDescription_ToString, new PJRT_DeviceDescription_ToString_Args { device_description = Description });
        return NativeText.Read(args.to_string, args.to_string_size);
    }
}

/// <summary>Allocator statistics of a device. Values the plugin does not report are null.</summary>
/// <param name="BytesInUse">Bytes currently allocated.</param>
/// <param name="PeakBytesInUse">Highest <paramref name="BytesInUse"/> so far.</param>
/// <param name="NumAllocs">Number of allocations so far.</param>
/// <param name="LargestAllocSize">Largest single allocation so far.</param>
/// <param name="BytesLimit">Bytes the allocator may hand out.</param>
/// <param name="BytesReserved">Bytes reserved from the system.</param>
/// <param name="PeakBytesReserved">Highest <paramref name="BytesReserved"/> so far.</param>
/// <param name="LargestFreeBlockBytes">Largest free block.</param>
public sealed record PjrtMemoryStats(
    long BytesInUse,
    long? PeakBytesInUse,
    long? NumAllocs,
    long? LargestAllocSize,
    long? BytesLimit,
    long? BytesReserved,
    long? PeakBytesReserved,
    long? LargestFreeBlockBytes);
