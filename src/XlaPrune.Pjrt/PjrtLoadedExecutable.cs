using System.Collections.ObjectModel;
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
    public PjrtBuffer[] Execute(IReadOnlyList<PjrtBuffer> arguments, ExecuteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return ExecuteSharded([arguments], options)[0];
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

        var argumentCount = argumentsPerDevice[0].Count;
        if (argumentsPerDevice.Any(a => a.Count != argumentCount))
        {
            throw new ArgumentException("Every device must get the same number of arguments.", nameof(argumentsPerDevice));
        }

        var outputs = NumOutputs;
        var nonDonatable = options.NonDonatableInputIndices.ToArray();
        if (nonDonatable.Any(i => i < 0 || i >= argumentCount))
        {
            throw new ArgumentException($"Non-donatable input indices [{string.Join(",", nonDonatable)}] must lie in [0, {argumentCount}).", nameof(options));
        }

        // Layout of one native block: argument pointer rows, output pointer rows, their row tables, events.
        var words = (devices * argumentCount) + (devices * outputs) + (devices * 3);
        var block = (nint*)NativeMemory.AllocZeroed((nuint)words, (nuint)sizeof(nint));
        var argumentRows = (PJRT_Buffer***)block;
        var outputRows = (PJRT_Buffer***)(block + devices);
        var events = (PJRT_Event**)(block + (2 * devices));
        var cells = (PJRT_Buffer**)(block + (3 * devices));
        var leased = new List<SafeHandle>();
        try
        {
            for (var d = 0; d < devices; d++)
            {
                argumentRows[d] = cells + (d * argumentCount);
                outputRows[d] = cells + (devices * argumentCount) + (d * outputs);
                for (var a = 0; a < argumentCount; a++)
                {
                    var buffer = argumentsPerDevice[d][a] ?? throw new ArgumentException($"Argument {a} of device {d} is null.", nameof(argumentsPerDevice));
                    var added = false;
                    buffer.Handle.DangerousAddRef(ref added);
                    leased.Add(buffer.Handle);
                    argumentRows[d][a] = buffer.Pointer;
                }
            }

            fixed (long* nonDonatableIndices = nonDonatable)
            {
                PJRT_ExecuteOptions executeOptions = default;
                executeOptions.struct_size = PJRT_ExecuteOptions.STRUCT_SIZE;
                executeOptions.launch_id = options.LaunchId;
                executeOptions.non_donatable_input_indices = nonDonatableIndices;
                executeOptions.num_non_donatable_input_indices = (nuint)nonDonatable.Length;

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

            var result = new PjrtBuffer[devices][];
            for (var d = 0; d < devices; d++)
            {
                result[d] = new PjrtBuffer[outputs];
                for (var o = 0; o < outputs; o++)
                {
                    result[d][o] = new PjrtBuffer(_client, PjrtHandle.Own(Plugin, PjrtObjectKind.Buffer, outputRows[d][o], _client.Handle));
                    outputRows[d][o] = null;
                }
            }

            WaitForDevices(events, devices, result);
            return result;
        }
        finally
        {
            foreach (var handle in leased)
            {
                handle.DangerousRelease();
            }

            NativeMemory.Free(block);
        }
    }

    private void WaitForDevices(PJRT_Event** events, int devices, PjrtBuffer[][] result)
    {
        PjrtException? failure = null;
        for (var d = 0; d < devices; d++)
        {
            if (events[d] == null)
            {
                continue;
            }

            using var done = new PjrtEvent(Plugin, events[d], _client.Handle);
            events[d] = null;
            try
            {
                done.Await();
            }
            catch (PjrtException e)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            foreach (var buffer in result.SelectMany(r => r))
            {
                buffer.Dispose();
            }

            throw failure;
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
                }
            }

            if (events[d] != null)
            {
                Plugin.Destroy(PjrtObjectKind.Event, events[d]);
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
    private readonly IReadOnlyList<long> _nonDonatable = [];

    /// <summary>Launch id 0; every argument the program aliases to an output may be donated.</summary>
    public static ExecuteOptions Default { get; } = new();

    /// <summary>Parameter indices whose buffers must never be donated (they stay valid after the call).</summary>
    public IReadOnlyList<long> NonDonatableInputIndices
    {
        get => _nonDonatable;
        init => _nonDonatable = new ReadOnlyCollection<long>([.. value]);
    }

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
