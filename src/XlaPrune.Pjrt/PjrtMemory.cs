using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>A memory space of a client: a non-owning view of a <c>PJRT_Memory</c>, valid while its client lives.</summary>
public sealed unsafe class PjrtMemory : IEquatable<PjrtMemory>
{
    private readonly PjrtClient _client;
    private readonly PJRT_Memory* _memory;

    internal PjrtMemory(PjrtClient client, PJRT_Memory* memory)
    {
        _client = client;
        _memory = memory;
    }

    internal PJRT_Memory* Pointer
    {
        get
        {
            _ = _client.Pointer; // throws once the client is gone
            return _memory;
        }
    }

    private PjrtPlugin Plugin => _client.Plugin;

    private PJRT_Api* Api => _client.Api;

    /// <summary>Memory id.</summary>
    public int Id => Plugin.Call(&Api->PJRT_Memory_Id, new PJRT_Memory_Id_Args { memory = Pointer }).id;

    /// <summary>Memory kind, for example <c>device</c> or <c>pinned_host</c>.</summary>
    public string Kind
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Memory_Kind, new PJRT_Memory_Kind_Args { memory = Pointer });
            return NativeText.Read(args.kind, args.kind_size);
        }
    }

    /// <summary>Platform-specific numeric id of <see cref="Kind"/>.</summary>
    public int KindId => Plugin.Call(&Api->PJRT_Memory_Kind_Id, new PJRT_Memory_Kind_Id_Args { memory = Pointer }).kind_id;

    /// <summary>A detailed description for logs.</summary>
    public string DebugString
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Memory_DebugString, new PJRT_Memory_DebugString_Args { memory = Pointer });
            return NativeText.Read(args.debug_string, args.debug_string_size);
        }
    }

    /// <summary>Devices that can address this memory.</summary>
    public IReadOnlyList<PjrtDevice> AddressableByDevices
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Memory_AddressableByDevices, new PJRT_Memory_AddressableByDevices_Args { memory = Pointer });
            return _client.DevicesFor(args.devices, args.num_devices);
        }
    }

    /// <inheritdoc/>
    public bool Equals(PjrtMemory? other) => other is not null && other._memory == _memory && ReferenceEquals(other._client, _client);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PjrtMemory);

    /// <inheritdoc/>
    public override int GetHashCode() => ((nint)_memory).GetHashCode();

    /// <inheritdoc/>
    public override string ToString()
    {
        var args = Plugin.Call(&Api->PJRT_Memory_ToString, new PJRT_Memory_ToString_Args { memory = Pointer });
        return NativeText.Read(args.to_string, args.to_string_size);
    }
}
