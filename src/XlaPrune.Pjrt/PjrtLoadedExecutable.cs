using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A compiled program loaded on a client's devices (a <c>PJRT_LoadedExecutable</c>) that the caller owns.
/// Dispose it to free the native executable; it keeps its client's native object alive until then.
/// </summary>
public sealed unsafe partial class PjrtLoadedExecutable : IDisposable
{
    private readonly PjrtClient _client;
    private readonly PjrtHandle _handle;
    private PjrtExecutable? _executable;
    private int _outputCount = -1;

    private PjrtLoadedExecutable(PjrtClient client, PjrtHandle handle)
    {
        _client = client;
        _handle = handle;
    }

    /// <summary>The client the executable is loaded on.</summary>
    public PjrtClient Client => _client;

    internal PjrtPlugin Plugin => _client.Plugin;

    private PJRT_Api* Api => _client.Api;

    private PJRT_LoadedExecutable* Pointer => (PJRT_LoadedExecutable*)_handle.Pointer;

    internal static PjrtLoadedExecutable Wrap(PjrtClient client, PJRT_LoadedExecutable* pointer) =>
        new(client, PjrtHandle.Own(client.Plugin, PjrtObjectKind.LoadedExecutable, pointer, client.Handle));

    /// <summary>
    /// The compiled program behind the loaded one (a <c>PJRT_Executable</c>): its queries are shared with executables
    /// compiled for a topology. Fetched once, owned here, disposed with this object.
    /// </summary>
    public PjrtExecutable Executable
    {
        get
        {
            _ = Pointer;
            if (_executable is null)
            {
                PJRT_LoadedExecutable_GetExecutable_Args args = default;
                args.struct_size = PJRT_LoadedExecutable_GetExecutable_Args.STRUCT_SIZE;
                args.loaded_executable = Pointer;
                Plugin.Require(&Api->PJRT_LoadedExecutable_GetExecutable);
                Plugin.Check(Api->PJRT_LoadedExecutable_GetExecutable(&args), PjrtObjectKind.Executable, args.executable);
                var owned = PjrtExecutable.Own(Plugin, args.executable, _client.Handle);
                if (Interlocked.CompareExchange(ref _executable, owned, null) is not null)
                {
                    owned.Dispose(); // another thread got there first
                }
            }

            return _executable;
        }
    }


    /// <summary>The devices the executable runs on, in execution order.</summary>
    public IReadOnlyList<PjrtDevice> AddressableDevices
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_LoadedExecutable_AddressableDevices, new PJRT_LoadedExecutable_AddressableDevices_Args { executable = Pointer });
            return _client.DevicesFor(args.addressable_devices, args.num_addressable_devices);
        }
    }

    /// <summary>Whether <see cref="Delete"/> was called.</summary>
    public bool IsDeleted => Plugin.Call(&Api->PJRT_LoadedExecutable_IsDeleted, new PJRT_LoadedExecutable_IsDeleted_Args { executable = Pointer }).is_deleted;

    /// <summary>Releases the device-side program now; the object stays until disposed.</summary>
    public void Delete() => Plugin.Call(&Api->PJRT_LoadedExecutable_Delete, new PJRT_LoadedExecutable_Delete_Args { executable = Pointer });

    // Number of outputs, asked once: it is fixed for the life of the executable.
    internal int OutputCount
    {
        get
        {
            var count = Volatile.Read(ref _outputCount);
            if (count < 0)
            {
                count = NumOutputs;
                Volatile.Write(ref _outputCount, count);
            }

            return count;
        }
    }

    /// <summary>Destroys the native executable (and the compiled program view it holds).</summary>
    public void Dispose()
    {
        _executable?.Dispose();
        _handle.Dispose();
    }
}
