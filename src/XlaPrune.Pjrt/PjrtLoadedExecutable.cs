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
    private PjrtHandle? _executable;
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

    // The compiled program behind the loaded one; fetched once, owned here, destroyed with this object.
    private PJRT_Executable* Executable
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
                var owned = PjrtHandle.Own(Plugin, PjrtObjectKind.Executable, args.executable, _client.Handle);
                if (Interlocked.CompareExchange(ref _executable, owned, null) is not null)
                {
                    owned.Dispose(); // another thread got there first
                }
            }

            return (PJRT_Executable*)_executable.Pointer;
        }
    }

    /// <summary>The program's name.</summary>
    public string Name
    {
        get
        {
            PJRT_Executable_Name_Args args = default;
            args.struct_size = PJRT_Executable_Name_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_Name);
            Plugin.Check(Api->PJRT_Executable_Name(&args));
            return NativeText.Read(args.executable_name, args.executable_name_size);
        }
    }

    /// <summary>Number of replicas it was compiled for.</summary>
    public int NumReplicas
    {
        get
        {
            PJRT_Executable_NumReplicas_Args args = default;
            args.struct_size = PJRT_Executable_NumReplicas_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_NumReplicas);
            Plugin.Check(Api->PJRT_Executable_NumReplicas(&args));
            return checked((int)args.num_replicas);
        }
    }

    /// <summary>Number of partitions it was compiled for.</summary>
    public int NumPartitions
    {
        get
        {
            PJRT_Executable_NumPartitions_Args args = default;
            args.struct_size = PJRT_Executable_NumPartitions_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_NumPartitions);
            Plugin.Check(Api->PJRT_Executable_NumPartitions(&args));
            return checked((int)args.num_partitions);
        }
    }

    /// <summary>Number of outputs per device.</summary>
    public int NumOutputs
    {
        get
        {
            PJRT_Executable_NumOutputs_Args args = default;
            args.struct_size = PJRT_Executable_NumOutputs_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_NumOutputs);
            Plugin.Check(Api->PJRT_Executable_NumOutputs(&args));
            return checked((int)args.num_outputs);
        }
    }

    /// <summary>Size of the generated code in bytes (-1 when the plugin does not know).</summary>
    public long SizeOfGeneratedCodeInBytes
    {
        get
        {
            PJRT_Executable_SizeOfGeneratedCodeInBytes_Args args = default;
            args.struct_size = PJRT_Executable_SizeOfGeneratedCodeInBytes_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_SizeOfGeneratedCodeInBytes);
            Plugin.Check(Api->PJRT_Executable_SizeOfGeneratedCodeInBytes(&args));
            return args.size_in_bytes;
        }
    }

    /// <summary>Element type of each output.</summary>
    public IReadOnlyList<PjrtElementType> OutputElementTypes
    {
        get
        {
            PJRT_Executable_OutputElementTypes_Args args = default;
            args.struct_size = PJRT_Executable_OutputElementTypes_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_OutputElementTypes);
            Plugin.Check(Api->PJRT_Executable_OutputElementTypes(&args));
            var result = new PjrtElementType[(int)args.num_output_types];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (PjrtElementType)args.output_types[i];
            }

            return result;
        }
    }

    /// <summary>Dimensions of each output.</summary>
    public IReadOnlyList<long[]> OutputDimensions
    {
        get
        {
            PJRT_Executable_OutputDimensions_Args args = default;
            args.struct_size = PJRT_Executable_OutputDimensions_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_OutputDimensions);
            Plugin.Check(Api->PJRT_Executable_OutputDimensions(&args));
            var result = new List<long[]>();
            var next = args.dims;
            for (nuint i = 0; i < args.num_outputs; i++)
            {
                var rank = args.dim_sizes[i];
                result.Add(NativeText.ReadInt64s(next, rank));
                next += rank;
            }

            return result;
        }
    }

    /// <summary>Memory kind of each output.</summary>
    public IReadOnlyList<string> OutputMemoryKinds
    {
        get
        {
            PJRT_Executable_OutputMemoryKinds_Args args = default;
            args.struct_size = PJRT_Executable_OutputMemoryKinds_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_OutputMemoryKinds);
            Plugin.Check(Api->PJRT_Executable_OutputMemoryKinds(&args));
            var result = new string[(int)args.num_outputs];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = NativeText.Read(args.memory_kinds[i], args.memory_kind_sizes[i]);
            }

            return result;
        }
    }

    /// <summary>A string that identifies the compiled program.</summary>
    public string Fingerprint
    {
        get
        {
            PJRT_Executable_Fingerprint_Args args = default;
            args.struct_size = PJRT_Executable_Fingerprint_Args.STRUCT_SIZE;
            args.executable = Executable;
            Plugin.Require(&Api->PJRT_Executable_Fingerprint);
            Plugin.Check(Api->PJRT_Executable_Fingerprint(&args));
            return NativeText.Read(args.executable_fingerprint, args.executable_fingerprint_size);
        }
    }

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

    /// <summary>The compiler's memory statistics for the program.</summary>
    public CompiledMemoryStats GetCompiledMemoryStats()
    {
        PJRT_Executable_GetCompiledMemoryStats_Args args = default;
        args.struct_size = PJRT_Executable_GetCompiledMemoryStats_Args.STRUCT_SIZE;
        args.executable = Executable;
        Plugin.Require(&Api->PJRT_Executable_GetCompiledMemoryStats);
        Plugin.Check(Api->PJRT_Executable_GetCompiledMemoryStats(&args));
        return new CompiledMemoryStats(
            args.generated_code_size_in_bytes,
            args.argument_size_in_bytes,
            args.output_size_in_bytes,
            args.alias_size_in_bytes,
            args.temp_size_in_bytes,
            args.host_generated_code_size_in_bytes,
            args.host_argument_size_in_bytes,
            args.host_output_size_in_bytes,
            args.host_alias_size_in_bytes,
            args.host_temp_size_in_bytes,
            args.peak_memory_in_bytes,
            args.total_size_in_bytes);
    }

    /// <summary>The compiler's cost analysis (for example <c>flops</c>, <c>bytes accessed</c>); values are string, long, long[], float or bool.</summary>
    public IReadOnlyDictionary<string, object> GetCostAnalysis()
    {
        PJRT_Executable_GetCostAnalysis_Args args = default;
        args.struct_size = PJRT_Executable_GetCostAnalysis_Args.STRUCT_SIZE;
        args.executable = Executable;
        Plugin.Require(&Api->PJRT_Executable_GetCostAnalysis);
        Plugin.Check(Api->PJRT_Executable_GetCostAnalysis(&args));
        return PjrtNamedValues.Read(args.properties, args.num_properties);
    }

    /// <summary>
    /// The program as the plugin will run it after optimization (its format is plugin-defined, for example
    /// <c>hlo_with_config</c> from XLA or <c>hlo_text</c> from our CPU plugin).
    /// </summary>
    public PjrtProgram GetOptimizedProgram()
    {
        PJRT_Program program = default;
        program.struct_size = PJRT_Program.STRUCT_SIZE;
        PJRT_Executable_OptimizedProgram_Args args = default;
        args.struct_size = PJRT_Executable_OptimizedProgram_Args.STRUCT_SIZE;
        args.executable = Executable;
        args.program = &program;
        Plugin.Require(&Api->PJRT_Executable_OptimizedProgram);
        Plugin.Check(Api->PJRT_Executable_OptimizedProgram(&args)); // first call: sizes only
        var code = new byte[checked((int)program.code_size)];
        fixed (byte* buffer = code)
        {
            program.code = buffer;
            Plugin.Check(Api->PJRT_Executable_OptimizedProgram(&args));
        }

        return new PjrtProgram(NativeText.Read(program.format, program.format_size), code);
    }

    /// <summary>The executable as bytes that <see cref="PjrtClient.DeserializeAndLoad"/> accepts on a compatible plugin.</summary>
    public byte[] Serialize()
    {
        PJRT_Executable_Serialize_Args args = default;
        args.struct_size = PJRT_Executable_Serialize_Args.STRUCT_SIZE;
        args.executable = Executable;
        Plugin.Require(&Api->PJRT_Executable_Serialize);
        Plugin.Check(Api->PJRT_Executable_Serialize(&args));
        try
        {
            return new ReadOnlySpan<byte>(args.serialized_bytes, checked((int)args.serialized_bytes_size)).ToArray();
        }
        finally
        {
            if (args.serialized_executable_deleter != null)
            {
                args.serialized_executable_deleter(args.serialized_executable);
            }
        }
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

/// <summary>Immutable execution settings.</summary>
public sealed record ExecuteOptions
{
    private readonly long[] _indices = [];
    private readonly IReadOnlyList<long> _nonDonatable = ReadOnlyCollection<long>.Empty;

    /// <summary>Launch id 0; every argument the program aliases to an output may be donated.</summary>
    public static ExecuteOptions Default { get; } = new();

    /// <summary>Parameter indices whose buffers must never be donated (they stay valid after the call).</summary>
    public IReadOnlyList<long> NonDonatableInputIndices
    {
        get => _nonDonatable;
        init
        {
            _indices = [.. value];
            _nonDonatable = new ReadOnlyCollection<long>(_indices);
        }
    }

    // The same indices as a private copy, read by every launch without a managed allocation.
    internal ReadOnlySpan<long> NonDonatableIndices => _indices;

    /// <summary>An id shared by the launches of one multi-device step (0 if unused).</summary>
    public int LaunchId { get; init; }

    /// <summary>Options that keep every one of <paramref name="argumentCount"/> arguments alive.</summary>
    public static ExecuteOptions NoDonation(int argumentCount) =>
        new() { NonDonatableInputIndices = Enumerable.Range(0, argumentCount).Select(i => (long)i).ToArray() };
}

/// <summary>Compiler memory statistics of an executable, in bytes (-1 or 0 where the plugin does not report a value).</summary>
/// <param name="GeneratedCodeSizeInBytes">Device code size.</param>
/// <param name="ArgumentSizeInBytes">Parameter buffers.</param>
/// <param name="OutputSizeInBytes">Output buffers.</param>
/// <param name="AliasSizeInBytes">Bytes shared between parameters and outputs.</param>
/// <param name="TempSizeInBytes">Scratch memory for intermediates.</param>
/// <param name="HostGeneratedCodeSizeInBytes">Host code size.</param>
/// <param name="HostArgumentSizeInBytes">Host-memory parameters.</param>
/// <param name="HostOutputSizeInBytes">Host-memory outputs.</param>
/// <param name="HostAliasSizeInBytes">Host-memory aliasing.</param>
/// <param name="HostTempSizeInBytes">Host-memory scratch.</param>
/// <param name="PeakMemoryInBytes">Peak device memory of a run.</param>
/// <param name="TotalSizeInBytes">Total device memory the program needs.</param>
public sealed record CompiledMemoryStats(
    long GeneratedCodeSizeInBytes,
    long ArgumentSizeInBytes,
    long OutputSizeInBytes,
    long AliasSizeInBytes,
    long TempSizeInBytes,
    long HostGeneratedCodeSizeInBytes,
    long HostArgumentSizeInBytes,
    long HostOutputSizeInBytes,
    long HostAliasSizeInBytes,
    long HostTempSizeInBytes,
    long PeakMemoryInBytes,
    long TotalSizeInBytes);

/// <summary>A program and its PJRT format name.</summary>
/// <param name="Format">Format, for example <c>hlo</c>, <c>mlir</c> or <c>hlo_text</c>.</param>
/// <param name="Code">The program bytes (text formats are UTF-8).</param>
public sealed record PjrtProgram(string Format, byte[] Code);
