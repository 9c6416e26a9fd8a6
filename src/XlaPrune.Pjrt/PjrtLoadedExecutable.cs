using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A compiled program loaded on a client's devices (a <c>PJRT_LoadedExecutable</c>) that the caller owns.
/// Dispose it to free the native executable; it keeps its client's native object alive until then.
/// </summary>
public sealed unsafe class PjrtLoadedExecutable : IDisposable
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

    private PjrtPlugin Plugin => _client.Plugin;

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

    /// <inheritdoc cref="PjrtExecutable.Name"/>
    public string Name => Executable.Name;

    /// <inheritdoc cref="PjrtExecutable.NumReplicas"/>
    public int NumReplicas => Executable.NumReplicas;

    /// <inheritdoc cref="PjrtExecutable.NumPartitions"/>
    public int NumPartitions => Executable.NumPartitions;

    /// <inheritdoc cref="PjrtExecutable.NumOutputs"/>
    public int NumOutputs => Executable.NumOutputs;

    /// <inheritdoc cref="PjrtExecutable.SizeOfGeneratedCodeInBytes"/>
    public long SizeOfGeneratedCodeInBytes => Executable.SizeOfGeneratedCodeInBytes;

    /// <inheritdoc cref="PjrtExecutable.OutputElementTypes"/>
    public IReadOnlyList<PjrtElementType> OutputElementTypes => Executable.OutputElementTypes;

    /// <inheritdoc cref="PjrtExecutable.OutputDimensions"/>
    public IReadOnlyList<long[]> OutputDimensions => Executable.OutputDimensions;

    /// <inheritdoc cref="PjrtExecutable.OutputMemoryKinds"/>
    public IReadOnlyList<string> OutputMemoryKinds => Executable.OutputMemoryKinds;

    /// <inheritdoc cref="PjrtExecutable.Fingerprint"/>
    public string Fingerprint => Executable.Fingerprint;

    /// <inheritdoc cref="PjrtExecutable.GetCompiledMemoryStats"/>
    public CompiledMemoryStats GetCompiledMemoryStats() => Executable.GetCompiledMemoryStats();

    /// <inheritdoc cref="PjrtExecutable.GetCostAnalysis"/>
    public IReadOnlyDictionary<string, object> GetCostAnalysis() => Executable.GetCostAnalysis();

    /// <inheritdoc cref="PjrtExecutable.GetOptimizedProgram"/>
    public PjrtProgram GetOptimizedProgram() => Executable.GetOptimizedProgram();

    /// <inheritdoc cref="PjrtExecutable.Serialize"/>
    public byte[] Serialize() => Executable.Serialize();

    /// <summary>The devices the executable runs on, in execution order.</summary>
    public IReadOnlyList<PjrtDevice> AddressableDevices
    {
        get
        {
            PJRT_LoadedExecutable_AddressableDevices_Args args = default;
            args.struct_size = PJRT_LoadedExecutable_AddressableDevices_Args.STRUCT_SIZE;
            args.executable = Pointer;
            Plugin.Require(&Api->PJRT_LoadedExecutable_AddressableDevices);
            Plugin.Check(Api->PJRT_LoadedExecutable_AddressableDevices(&args));
            var result = new List<PjrtDevice>();
            for (nuint i = 0; i < args.num_addressable_devices; i++)
            {
                result.Add(_client.DeviceFor(args.addressable_devices[i]));
            }

            return result;
        }
    }

    /// <summary>Whether <see cref="Delete"/> was called.</summary>
    public bool IsDeleted
    {
        get
        {
            PJRT_LoadedExecutable_IsDeleted_Args args = default;
            args.struct_size = PJRT_LoadedExecutable_IsDeleted_Args.STRUCT_SIZE;
            args.executable = Pointer;
            Plugin.Require(&Api->PJRT_LoadedExecutable_IsDeleted);
            Plugin.Check(Api->PJRT_LoadedExecutable_IsDeleted(&args));
            return args.is_deleted;
        }
    }

    /// <summary>Releases the device-side program now; the object stays until disposed.</summary>
    public void Delete()
    {
        PJRT_LoadedExecutable_Delete_Args args = default;
        args.struct_size = PJRT_LoadedExecutable_Delete_Args.STRUCT_SIZE;
        args.executable = Pointer;
        Plugin.Require(&Api->PJRT_LoadedExecutable_Delete);
        Plugin.Check(Api->PJRT_LoadedExecutable_Delete(&args));
    }

    /// <summary>Runs on one device (the executable's first) and waits for completion.</summary>
    /// <param name="arguments">One buffer per entry parameter. Unless <paramref name="options"/> says otherwise, a buffer the
    /// program aliases to an output may be donated (then it reports <see cref="PjrtBuffer.IsDeleted"/>).</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>One new buffer per output; the caller owns and disposes them.</returns>
    /// <remarks>
    /// A steady-state call allocates only what it returns (the array, and per output a <see cref="PjrtBuffer"/> and its
    /// handle): argument and output tables live on the stack and the completion event is awaited and destroyed
    /// without a managed wrapper.
    /// </remarks>
    public PjrtBuffer[] Execute(IReadOnlyList<PjrtBuffer> arguments, ExecuteOptions? options = null)
    {
        PJRT_Event* done = null;
        var outputs = LaunchOnFirstDevice(arguments, options, &done);
        if (done != null)
        {
            var failure = Plugin.AwaitAndDestroy(done);
            if (failure is not null)
            {
                DisposeAll(outputs);
                throw failure;
            }
        }

        return outputs;
    }

    /// <summary>
    /// Starts a run on one device (the executable's first) and returns without waiting for it to finish.
    /// </summary>
    /// <param name="arguments">As for <see cref="Execute"/>; they must stay alive until <paramref name="done"/> completes.</param>
    /// <param name="done">Completes when the run has finished (with the run's error, if any); null when the plugin
    /// reports no event, in which case the run is already complete. The caller owns and disposes it.</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>One new buffer per output, valid to read once <paramref name="done"/> completes; the caller owns and
    /// disposes them.</returns>
    public PjrtBuffer[] Launch(IReadOnlyList<PjrtBuffer> arguments, out PjrtEvent? done, ExecuteOptions? options = null)
    {
        PJRT_Event* @event = null;
        var outputs = LaunchOnFirstDevice(arguments, options, &@event);
        done = @event == null ? null : new PjrtEvent(Plugin, @event, _client.Handle);
        return outputs;
    }

    /// <summary>Runs on several devices at once (replicas or partitions) and waits for completion.</summary>
    /// <param name="argumentsPerDevice">For each device, in <see cref="AddressableDevices"/> order, one buffer per parameter.</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>For each device, one new buffer per output; the caller owns and disposes them.</returns>
    public PjrtBuffer[][] ExecuteSharded(IReadOnlyList<IReadOnlyList<PjrtBuffer>> argumentsPerDevice, ExecuteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(argumentsPerDevice);
        options ??= ExecuteOptions.Default;
        var devices = argumentsPerDevice.Count;
        if (devices == 0)
        {
            throw new ArgumentException("Execute needs the arguments of at least one device.", nameof(argumentsPerDevice));
        }

        var argumentCount = (argumentsPerDevice[0] ?? throw new ArgumentException("The arguments of device 0 are null.", nameof(argumentsPerDevice))).Count;
        for (var d = 1; d < devices; d++)
        {
            if (argumentsPerDevice[d] is not { } list || list.Count != argumentCount)
            {
                throw new ArgumentException("Every device must get the same number of arguments.", nameof(argumentsPerDevice));
            }
        }

        CheckNonDonatable(options, argumentCount);
        var outputs = OutputCount;

        // One native block: argument cells, output cells, the two row tables, and the events.
        var cells = devices * (argumentCount + outputs);
        var words = cells + (devices * 3);
        var block = (nint*)NativeMemory.AllocZeroed((nuint)words, (nuint)sizeof(nint));
        var argumentCells = (PJRT_Buffer**)block;
        var outputCells = argumentCells + (devices * argumentCount);
        var argumentRows = (PJRT_Buffer***)(block + cells);
        var outputRows = argumentRows + devices;
        var events = (PJRT_Event**)(outputRows + devices);
        try
        {
            var leasedDevices = 0;
            var leasedInLast = 0;
            try
            {
                for (var d = 0; d < devices; d++)
                {
                    argumentRows[d] = argumentCells + (d * argumentCount);
                    outputRows[d] = outputCells + (d * outputs);
                    leasedInLast = 0;
                    leasedDevices = d + 1;
                    Lease(argumentsPerDevice[d], argumentRows[d], ref leasedInLast, d);
                }

                CallExecute(argumentRows, outputRows, events, devices, argumentCount, outputs, options);
            }
            finally
            {
                for (var d = 0; d < leasedDevices; d++)
                {
                    Release(argumentsPerDevice[d], d == leasedDevices - 1 ? leasedInLast : argumentCount);
                }
            }

            var result = new PjrtBuffer[devices][];
            for (var d = 0; d < devices; d++)
            {
                result[d] = WrapOutputs(outputRows[d], outputs);
            }

            PjrtException? failure = null;
            for (var d = 0; d < devices; d++)
            {
                if (events[d] != null)
                {
                    var error = Plugin.AwaitAndDestroy(events[d]);
                    events[d] = null;
                    failure ??= error;
                }
            }

            if (failure is not null)
            {
                foreach (var row in result)
                {
                    DisposeAll(row);
                }

                throw failure;
            }

            return result;
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    // Up to this many argument plus output pointers, the tables of a one-device launch live on the stack.
    private const int StackCells = 64;

    // Number of outputs, asked once: it is fixed for the life of the executable.
    private int OutputCount
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

    [SkipLocalsInit]
    private PjrtBuffer[] LaunchOnFirstDevice(IReadOnlyList<PjrtBuffer> arguments, ExecuteOptions? options, PJRT_Event** done)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= ExecuteOptions.Default;
        var argumentCount = arguments.Count;
        CheckNonDonatable(options, argumentCount);
        var outputs = OutputCount;
        var cells = argumentCount + outputs;
        var stack = stackalloc nint[StackCells];
        var block = cells <= StackCells ? stack : (nint*)NativeMemory.Alloc((nuint)cells, (nuint)sizeof(nint));
        try
        {
            var argumentRow = (PJRT_Buffer**)block;
            var outputRow = argumentRow + argumentCount;
            new Span<nint>(outputRow, outputs).Clear();
            var leased = 0;
            try
            {
                Lease(arguments, argumentRow, ref leased, 0);
                CallExecute(&argumentRow, &outputRow, done, 1, argumentCount, outputs, options);
            }
            finally
            {
                Release(arguments, leased);
            }

            return WrapOutputs(outputRow, outputs);
        }
        finally
        {
            if (block != stack)
            {
                NativeMemory.Free(block);
            }
        }
    }

    // Holds a reference on every argument's handle for the duration of the call, so a concurrent Dispose cannot free a
    // buffer the plugin is reading; `leased` counts the references taken, for Release.
    private static void Lease(IReadOnlyList<PjrtBuffer> arguments, PJRT_Buffer** row, ref int leased, int device)
    {
        var count = arguments.Count;
        for (var a = 0; a < count; a++)
        {
            var handle = (arguments[a] ?? throw new ArgumentException($"Argument {a} of device {device} is null.", nameof(arguments))).Handle;
            var added = false;
            handle.DangerousAddRef(ref added);
            leased++;
            row[a] = (PJRT_Buffer*)handle.DangerousGetHandle();
        }
    }

    private static void Release(IReadOnlyList<PjrtBuffer> arguments, int leased)
    {
        for (var a = 0; a < leased; a++)
        {
            arguments[a].Handle.DangerousRelease();
        }
    }

    private static void CheckNonDonatable(ExecuteOptions options, int argumentCount)
    {
        foreach (var index in options.NonDonatableIndices)
        {
            if (index < 0 || index >= argumentCount)
            {
                throw new ArgumentException(
                    $"Non-donatable input indices [{string.Join(",", options.NonDonatableInputIndices)}] must lie in [0, {argumentCount}).", nameof(options));
            }
        }
    }

    // PJRT_LoadedExecutable_Execute over prepared tables; on error, destroys whatever the plugin handed back and throws.
    private void CallExecute(PJRT_Buffer*** argumentRows, PJRT_Buffer*** outputRows, PJRT_Event** events, int devices, int argumentCount, int outputs, ExecuteOptions options)
    {
        fixed (long* nonDonatable = options.NonDonatableIndices)
        {
            PJRT_ExecuteOptions executeOptions = default;
            executeOptions.struct_size = PJRT_ExecuteOptions.STRUCT_SIZE;
            executeOptions.launch_id = options.LaunchId;
            executeOptions.non_donatable_input_indices = nonDonatable;
            executeOptions.num_non_donatable_input_indices = (nuint)options.NonDonatableIndices.Length;

            PJRT_LoadedExecutable_Execute_Args args = default;
            args.struct_size = PJRT_LoadedExecutable_Execute_Args.STRUCT_SIZE;
            args.executable = Pointer;
            args.options = &executeOptions;
            args.argument_lists = argumentRows;
            args.num_devices = (nuint)devices;
            args.num_args = (nuint)argumentCount;
            args.output_lists = outputRows;
            args.device_complete_events = events;
            Plugin.Require(&Api->PJRT_LoadedExecutable_Execute);
            var error = Api->PJRT_LoadedExecutable_Execute(&args);
            if (error != null)
            {
                DestroyPartialResults(outputRows, events, devices, outputs);
                throw Plugin.TakeError(error);
            }
        }
    }

    private PjrtBuffer[] WrapOutputs(PJRT_Buffer** row, int outputs)
    {
        var result = new PjrtBuffer[outputs];
        for (var o = 0; o < outputs; o++)
        {
            result[o] = new PjrtBuffer(_client, PjrtHandle.Own(Plugin, PjrtObjectKind.Buffer, row[o], _client.Handle));
            row[o] = null;
        }

        return result;
    }

    private static void DisposeAll(PjrtBuffer[] buffers)
    {
        foreach (var buffer in buffers)
        {
            buffer.Dispose();
        }
    }

    private void DestroyPartialResults(PJRT_Buffer*** outputRows, PJRT_Event** events, int devices, int outputs)
    {
        for (var d = 0; d < devices; d++)
        {
            for (var o = 0; o < outputs; o++)
            {
                if (outputRows[d][o] != null)
                {
                    Plugin.Destroy(PjrtObjectKind.Buffer, outputRows[d][o]);
                    outputRows[d][o] = null;
                }
            }

            if (events[d] != null)
            {
                Plugin.Destroy(PjrtObjectKind.Event, events[d]);
                events[d] = null;
            }
        }
    }

    /// <summary>Destroys the native executable (and the compiled program view it holds).</summary>
    public void Dispose()
    {
        _executable?.Dispose();
        _handle.Dispose();
    }
}
