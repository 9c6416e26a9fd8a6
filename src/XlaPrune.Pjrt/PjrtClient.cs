using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A PJRT client: owns its native <c>PJRT_Client</c>. Dispose it when done; buffers, executables and events
/// created from it keep the native client alive until they are disposed too. Devices and memories are
/// views that are valid while the client is alive.
/// </summary>
public sealed unsafe class PjrtClient : IDisposable
{
    private readonly PjrtHandle _handle;
    private IReadOnlyList<PjrtDevice>? _devices;
    private IReadOnlyList<PjrtDevice>? _addressableDevices;
    private IReadOnlyList<PjrtMemory>? _memories;

    private PjrtClient(PjrtPlugin plugin, PjrtHandle handle)
    {
        Plugin = plugin;
        _handle = handle;
    }

    /// <summary>The plugin this client came from.</summary>
    public PjrtPlugin Plugin { get; }

    internal PjrtHandle Handle => _handle;

    internal PJRT_Client* Pointer => (PJRT_Client*)_handle.Pointer;

    internal PJRT_Api* Api => Plugin.Api;

    internal static PjrtClient Create(PjrtPlugin plugin, IReadOnlyDictionary<string, object> options)
    {
        var api = plugin.Api;
        plugin.Require(&api->PJRT_Client_Create);
        var values = PjrtNamedValues.Write(options, out var count);
        PJRT_Client_Create_Args args = default;
        try
        {
            args.struct_size = PJRT_Client_Create_Args.STRUCT_SIZE;
            args.create_options = values;
            args.num_options = count;
            plugin.Check(api->PJRT_Client_Create(&args), PjrtObjectKind.Client, args.client);
        }
        finally
        {
            NativeMemory.Free(values);
        }

        return new PjrtClient(plugin, PjrtHandle.Own(plugin, PjrtObjectKind.Client, args.client, parent: null));
    }

    /// <summary>The platform name, for example <c>cpu</c>.</summary>
    public string PlatformName
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Client_PlatformName, new PJRT_Client_PlatformName_Args { client = Pointer });
            return NativeText.Read(args.platform_name, args.platform_name_size);
        }
    }

    /// <summary>The platform version string.</summary>
    public string PlatformVersion
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Client_PlatformVersion, new PJRT_Client_PlatformVersion_Args { client = Pointer });
            return NativeText.Read(args.platform_version, args.platform_version_size);
        }
    }

    /// <summary>Index of this process among the processes of a multi-process run (0 otherwise).</summary>
    public int ProcessIndex => Plugin.Call(&Api->PJRT_Client_ProcessIndex, new PJRT_Client_ProcessIndex_Args { client = Pointer }).process_index;

    /// <summary>Every device the client knows, addressable or not. Views valid while the client lives.</summary>
    public IReadOnlyList<PjrtDevice> Devices => _devices ??= ReadDevices();

    /// <summary>The devices this process can use. Views valid while the client lives.</summary>
    public IReadOnlyList<PjrtDevice> AddressableDevices => _addressableDevices ??= ReadAddressableDevices();

    /// <summary>The memories this process can address. Views valid while the client lives.</summary>
    public IReadOnlyList<PjrtMemory> AddressableMemories
    {
        get
        {
            if (_memories is null)
            {
                var args = Plugin.Call(&Api->PJRT_Client_AddressableMemories, new PJRT_Client_AddressableMemories_Args { client = Pointer });
                var memories = new List<PjrtMemory>();
                for (nuint i = 0; i < args.num_addressable_memories; i++)
                {
                    memories.Add(new PjrtMemory(this, args.addressable_memories[i]));
                }

                _memories = memories;
            }

            return _memories;
        }
    }

    /// <summary>The device with global id <paramref name="id"/>.</summary>
    public PjrtDevice LookupDevice(int id)
    {
        var args = Plugin.Call(&Api->PJRT_Client_LookupDevice, new PJRT_Client_LookupDevice_Args { client = Pointer, id = id });
        return DeviceFor(args.device);
    }

    /// <summary>The plugin's default device assignment, as device ids indexed [replica, partition].</summary>
    public int[,] DefaultDeviceAssignment(int replicas, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var ids = new int[replicas * partitions];
        fixed (int* assignment = ids)
        {
            var args = Plugin.Call(&Api->PJRT_Client_DefaultDeviceAssignment, new PJRT_Client_DefaultDeviceAssignment_Args
            {
                client = Pointer,
                num_replicas = replicas,
                num_partitions = partitions,
                default_assignment_size = (nuint)ids.Length,
                default_assignment = assignment,
            });
        }

        var result = new int[replicas, partitions];
        for (var r = 0; r < replicas; r++)
        {
            for (var p = 0; p < partitions; p++)
            {
                result[r, p] = ids[(r * partitions) + p];
            }
        }

        return result;
    }

    /// <summary>
    /// Copies host data to a new device buffer. The data is copied during the call, so the span may be reused
    /// as soon as this returns.
    /// </summary>
    /// <param name="data">Dense, row-major (major-to-minor) elements.</param>
    /// <param name="dimensions">Logical shape; the element count must match <paramref name="data"/>.</param>
    /// <param name="device">Target device; defaults to the first addressable device.</param>
    /// <returns>A buffer the caller owns and must dispose.</returns>
    public PjrtBuffer BufferFromHost<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> dimensions, PjrtDevice? device = null)
        where T : unmanaged =>
        BufferFromHost(MemoryMarshal.AsBytes(data), PjrtElementTypes.Of<T>(), dimensions, device);

    /// <summary>Copies raw host bytes of <paramref name="elementType"/> to a new device buffer; see the generic overload.</summary>
    /// <returns>A buffer the caller owns and must dispose.</returns>
    public PjrtBuffer BufferFromHost(ReadOnlySpan<byte> bytes, PjrtElementType elementType, ReadOnlySpan<long> dimensions, PjrtDevice? device = null, PjrtMemory? memory = null)
    {
        var expected = PjrtElementTypes.ByteCount(elementType, dimensions);
        if (expected != bytes.Length)
        {
            throw new ArgumentException(
                $"Host data has {bytes.Length} bytes but a {elementType} array of shape [{string.Join(",", dimensions.ToArray())}] needs {expected}.",
                nameof(bytes));
        }

        if (device is null && memory is null)
        {
            device = AddressableDevices.Count > 0 ? AddressableDevices[0] : throw new InvalidOperationException($"Client of {Plugin.Path} has no addressable device.");
        }

        PJRT_Client_BufferFromHostBuffer_Args args = default;
        fixed (byte* data = bytes)
        fixed (long* dims = dimensions)
        {
            args.struct_size = PJRT_Client_BufferFromHostBuffer_Args.STRUCT_SIZE;
            args.client = Pointer;
            args.data = data;
            args.type = (PJRT_Buffer_Type)elementType;
            args.dims = dims;
            args.num_dims = (nuint)dimensions.Length;
            args.host_buffer_semantics = PJRT_HostBufferSemantics.PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
            args.device = device is null ? null : device.Pointer;
            args.memory = memory is null ? null : memory.Pointer;
            Plugin.Require(&Api->PJRT_Client_BufferFromHostBuffer);
            var error = Api->PJRT_Client_BufferFromHostBuffer(&args);
            if (error != null)
            {
                DestroyOutputs(args.buffer, args.done_with_host_buffer);
                throw Plugin.TakeError(error);
            }
        }

        // The data was copied during the call; the "done with host buffer" event carries nothing we need.
        if (args.done_with_host_buffer != null)
        {
            Plugin.Destroy(PjrtObjectKind.Event, args.done_with_host_buffer);
        }

        return new PjrtBuffer(this, PjrtHandle.Own(Plugin, PjrtObjectKind.Buffer, args.buffer, _handle));
    }

    private void DestroyOutputs(PJRT_Buffer* buffer, PJRT_Event* @event)
    {
        if (buffer != null)
        {
            Plugin.Destroy(PjrtObjectKind.Buffer, buffer);
        }

        if (@event != null)
        {
            Plugin.Destroy(PjrtObjectKind.Event, @event);
        }
    }

    /// <summary>Compiles a serialized <c>xla.HloModuleProto</c> (program format <c>hlo</c>).</summary>
    /// <returns>An executable the caller owns and must dispose.</returns>
    public PjrtLoadedExecutable CompileHlo(ReadOnlySpan<byte> hloModuleProto, CompileOptions? options = null) =>
        Compile(hloModuleProto, "hlo"u8, options ?? CompileOptions.Default);

    /// <summary>Compiles a program in any format the plugin accepts.</summary>
    /// <returns>An executable the caller owns and must dispose.</returns>
    public PjrtLoadedExecutable Compile(ReadOnlySpan<byte> code, ReadOnlySpan<byte> format, CompileOptions options)
    {
        var executable = PjrtProgramArgs.Compile(code, format, options, (program, optionBytes, optionsSize) => Plugin.Create(
            &Api->PJRT_Client_Compile,
            new PJRT_Client_Compile_Args { client = Pointer, program = program, compile_options = optionBytes, compile_options_size = optionsSize },
            PjrtObjectKind.LoadedExecutable,
            a => (nint)a.executable).executable);
        return PjrtLoadedExecutable.Wrap(this, (PJRT_LoadedExecutable*)executable);
    }

    /// <summary>Loads an executable produced by <see cref="PjrtLoadedExecutable.Serialize"/> on a compatible plugin.</summary>
    /// <returns>An executable the caller owns and must dispose.</returns>
    public PjrtLoadedExecutable DeserializeAndLoad(ReadOnlySpan<byte> serializedExecutable)
    {
        fixed (byte* bytes = serializedExecutable)
        {
            var args = Plugin.Create(
                &Api->PJRT_Executable_DeserializeAndLoad,
                new PJRT_Executable_DeserializeAndLoad_Args { client = Pointer, serialized_executable = bytes, serialized_executable_size = (nuint)serializedExecutable.Length },
                PjrtObjectKind.LoadedExecutable,
                a => (nint)a.loaded_executable);
            return PjrtLoadedExecutable.Wrap(this, args.loaded_executable);
        }
    }

    internal PjrtDevice DeviceFor(PJRT_Device* pointer)
    {
        foreach (var device in Devices)
        {
            if (device.Pointer == pointer)
            {
                return device;
            }
        }

        return new PjrtDevice(this, pointer);
    }

    internal PjrtMemory MemoryFor(PJRT_Memory* pointer)
    {
        foreach (var memory in AddressableMemories)
        {
            if (memory.Pointer == pointer)
            {
                return memory;
            }
        }

        return new PjrtMemory(this, pointer);
    }

    // The views of the devices and memories a plugin call returned as an array; known ones keep their views.
    internal List<PjrtDevice> DevicesFor(PJRT_Device** devices, nuint count) =>
        [.. Pointers(devices, count).Select(p => DeviceFor((PJRT_Device*)p))];

    internal List<PjrtMemory> MemoriesFor(PJRT_Memory** memories, nuint count) =>
        [.. Pointers(memories, count).Select(p => MemoryFor((PJRT_Memory*)p))];

    private static nint[] Pointers(void* array, nuint count) => new ReadOnlySpan<nint>(array, checked((int)count)).ToArray();

    private List<PjrtDevice> ReadDevices()
    {
        var args = Plugin.Call(&Api->PJRT_Client_Devices, new PJRT_Client_Devices_Args { client = Pointer });
        return WrapDevices(args.devices, args.num_devices);
    }

    private List<PjrtDevice> ReadAddressableDevices()
    {
        var args = Plugin.Call(&Api->PJRT_Client_AddressableDevices, new PJRT_Client_AddressableDevices_Args { client = Pointer });
        return WrapDevices(args.addressable_devices, args.num_addressable_devices);
    }

    // Device views for the pointers; a device already in Devices keeps its view.
    private List<PjrtDevice> WrapDevices(PJRT_Device** devices, nuint count)
    {
        var result = new List<PjrtDevice>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            result.Add(_devices?.FirstOrDefault(d => d.Pointer == devices[i]) ?? new PjrtDevice(this, devices[i]));
        }

        return result;
    }

    /// <summary>Releases this reference to the native client; it is destroyed once no buffer, executable or event uses it.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => _handle.IsClosed ? "PJRT client (disposed)" : $"PJRT client {PlatformName} ({Plugin.Path})";
}
