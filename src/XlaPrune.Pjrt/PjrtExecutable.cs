using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A compiled program that is not loaded on any device (a <c>PJRT_Executable</c>): what compiling for a topology
/// returns (<see cref="PjrtTopology.Compile"/>), and the view behind every <see cref="PjrtLoadedExecutable"/>.
/// The caller owns it and disposes it; <see cref="PjrtClient.DeserializeAndLoad"/> loads its serialized form.
/// </summary>
public sealed unsafe class PjrtExecutable : IDisposable
{
    private readonly PjrtHandle _handle;

    private PjrtExecutable(PjrtHandle handle) => _handle = handle;

    private PjrtPlugin Plugin => _handle.Plugin;

    private PJRT_Api* Api => _handle.Plugin.Api;

    private PJRT_Executable* Pointer => (PJRT_Executable*)_handle.Pointer;

    /// <summary>Takes ownership of <paramref name="pointer"/>; <paramref name="parent"/> (a client) stays alive until disposal.</summary>
    internal static PjrtExecutable Own(PjrtPlugin plugin, PJRT_Executable* pointer, System.Runtime.InteropServices.SafeHandle? parent) =>
        new(PjrtHandle.Own(plugin, PjrtObjectKind.Executable, pointer, parent));

    /// <summary>The program's name.</summary>
    public string Name
    {
        get
        {
            PJRT_Executable_Name_Args args = default;
            args.struct_size = PJRT_Executable_Name_Args.STRUCT_SIZE;
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
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
            args.executable = Pointer;
            Plugin.Require(&Api->PJRT_Executable_Fingerprint);
            Plugin.Check(Api->PJRT_Executable_Fingerprint(&args));
            return NativeText.Read(args.executable_fingerprint, args.executable_fingerprint_size);
        }
    }


    /// <summary>The compiler's memory statistics for the program.</summary>
    public CompiledMemoryStats GetCompiledMemoryStats()
    {
        PJRT_Executable_GetCompiledMemoryStats_Args args = default;
        args.struct_size = PJRT_Executable_GetCompiledMemoryStats_Args.STRUCT_SIZE;
        args.executable = Pointer;
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
        args.executable = Pointer;
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
        args.executable = Pointer;
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
        args.executable = Pointer;
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


    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
