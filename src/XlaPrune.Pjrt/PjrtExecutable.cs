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
            var args = Plugin.Call(&Api->PJRT_Executable_Name, new PJRT_Executable_Name_Args { executable = Pointer });
            return NativeText.Read(args.executable_name, args.executable_name_size);
        }
    }

    /// <summary>Number of replicas it was compiled for.</summary>
    public int NumReplicas
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Executable_NumReplicas, new PJRT_Executable_NumReplicas_Args { executable = Pointer });
            return checked((int)args.num_replicas);
        }
    }

    /// <summary>Number of partitions it was compiled for.</summary>
    public int NumPartitions
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Executable_NumPartitions, new PJRT_Executable_NumPartitions_Args { executable = Pointer });
            return checked((int)args.num_partitions);
        }
    }

    /// <summary>Number of outputs per device.</summary>
    public int NumOutputs
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Executable_NumOutputs, new PJRT_Executable_NumOutputs_Args { executable = Pointer });
            return checked((int)args.num_outputs);
        }
    }

    /// <summary>Size of the generated code in bytes (-1 when the plugin does not know).</summary>
    public long SizeOfGeneratedCodeInBytes
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Executable_SizeOfGeneratedCodeInBytes, new PJRT_Executable_SizeOfGeneratedCodeInBytes_Args
            {
                executable = Pointer,
            });
            return args.size_in_bytes;
        }
    }

    /// <summary>Element type of each output.</summary>
    public IReadOnlyList<PjrtElementType> OutputElementTypes
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Executable_OutputElementTypes, new PJRT_Executable_OutputElementTypes_Args { executable = Pointer });
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
            var args = Plugin.Call(&Api->PJRT_Executable_OutputDimensions, new PJRT_Executable_OutputDimensions_Args { executable = Pointer });
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
            var args = Plugin.Call(&Api->PJRT_Executable_OutputMemoryKinds, new PJRT_Executable_OutputMemoryKinds_Args { executable = Pointer });
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
            var args = Plugin.Call(&Api->PJRT_Executable_Fingerprint, new PJRT_Executable_Fingerprint_Args { executable = Pointer });
            return NativeText.Read(args.executable_fingerprint, args.executable_fingerprint_size);
        }
    }


    /// <summary>The compiler's memory statistics for the program.</summary>
    public CompiledMemoryStats GetCompiledMemoryStats()
    {
        var args = Plugin.Call(&Api->PJRT_Executable_GetCompiledMemoryStats, new PJRT_Executable_GetCompiledMemoryStats_Args
        {
            executable = Pointer,
        });
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
        var args = Plugin.Call(&Api->PJRT_Executable_GetCostAnalysis, new PJRT_Executable_GetCostAnalysis_Args { executable = Pointer });
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
        var args = Plugin.Call(&Api->PJRT_Executable_Serialize, new PJRT_Executable_Serialize_Args { executable = Pointer });
        return NativeText.TakeSerialized(args.serialized_bytes, args.serialized_bytes_size, args.serialized_executable, args.serialized_executable_deleter);
    }


    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
