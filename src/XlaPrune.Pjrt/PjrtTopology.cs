using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A device topology a plugin can compile for without any device being present (a
/// <c>PJRT_TopologyDescription</c>), for example <c>cpu:4</c> on our plugin or a TPU slice such as
/// <c>v5e:2x2</c> in libtpu. The caller owns it and disposes it; executables compiled for it do not need it afterwards.
/// </summary>
public sealed unsafe class PjrtTopology : IDisposable
{
    private readonly PjrtHandle _handle;

    private PjrtTopology(PjrtPlugin plugin, PjrtHandle handle, string name)
    {
        Plugin = plugin;
        _handle = handle;
        Name = name;
    }

    /// <summary>The plugin the topology came from.</summary>
    public PjrtPlugin Plugin { get; }

    /// <summary>The name it was created with.</summary>
    public string Name { get; }

    private PJRT_Api* Api => Plugin.Api;

    private PJRT_TopologyDescription* Pointer => (PJRT_TopologyDescription*)_handle.Pointer;

    /// <summary>Creates the topology <paramref name="name"/> with create options (values string, long/int, long[], float or bool).</summary>
    /// <exception cref="PjrtException">The plugin refuses the name or an option, or lacks the call (UNIMPLEMENTED).</exception>
    internal static PjrtTopology Create(PjrtPlugin plugin, string name, IReadOnlyDictionary<string, object> options)
    {
        var api = plugin.Api;
        plugin.Require(&api->PJRT_TopologyDescription_Create);
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        var values = PjrtNamedValues.Write(options, out var count);
        PJRT_TopologyDescription_Create_Args args = default;
        try
        {
            fixed (byte* nameBytesPointer = nameBytes)
            {
                args.struct_size = PJRT_TopologyDescription_Create_Args.STRUCT_SIZE;
                args.topology_name = nameBytesPointer;
                args.topology_name_size = (nuint)nameBytes.Length;
                args.create_options = values;
                args.num_options = count;
                plugin.Check(api->PJRT_TopologyDescription_Create(&args), PjrtObjectKind.Topology, args.topology);
            }
        }
        finally
        {
            NativeMemory.Free(values);
        }

        return new PjrtTopology(plugin, PjrtHandle.Own(plugin, PjrtObjectKind.Topology, args.topology, parent: null), name);
    }

    /// <summary>The platform the topology belongs to, for example <c>cpu</c> or <c>tpu</c>.</summary>
    public string PlatformName
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_TopologyDescription_PlatformName, new PJRT_TopologyDescription_PlatformName_Args
            {
                topology = Pointer,
            });
            return NativeText.Read(args.platform_name, args.platform_name_size);
        }
    }

    /// <summary>The platform version string.</summary>
    public string PlatformVersion
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_TopologyDescription_PlatformVersion, new PJRT_TopologyDescription_PlatformVersion_Args
            {
                topology = Pointer,
            });
            return NativeText.Read(args.platform_version, args.platform_version_size);
        }
    }

    /// <summary>The topology's attributes (plugin-defined).</summary>
    public IReadOnlyDictionary<string, object> Attributes
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_TopologyDescription_Attributes, new PJRT_TopologyDescription_Attributes_Args { topology = Pointer });
            return PjrtNamedValues.Read(args.attributes, args.num_attributes);
        }
    }

    /// <summary>A description of every device of the topology, read once per call.</summary>
    public IReadOnlyList<PjrtDeviceDescription> Devices
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_TopologyDescription_GetDeviceDescriptions, new PJRT_TopologyDescription_GetDeviceDescriptions_Args
            {
                topology = Pointer,
            });
            var result = new List<PjrtDeviceDescription>();
            for (nuint i = 0; i < args.num_descriptions; i++)
            {
                result.Add(PjrtDeviceDescription.Read(Plugin, args.descriptions[i]));
            }

            return result;
        }
    }

    /// <summary>The topology as bytes (plugin-defined format).</summary>
    public byte[] Serialize()
    {
        var args = Plugin.Call(&Api->PJRT_TopologyDescription_Serialize, new PJRT_TopologyDescription_Serialize_Args { topology = Pointer });
        return NativeText.TakeSerialized(args.serialized_bytes, args.serialized_bytes_size, args.serialized_topology, args.serialized_topology_deleter);
    }

    /// <summary>Compiles a serialized <c>xla.HloModuleProto</c> for this topology, without a client.</summary>
    /// <returns>An unloaded executable the caller owns and must dispose.</returns>
    public PjrtExecutable CompileHlo(ReadOnlySpan<byte> hloModuleProto, CompileOptions? options = null) =>
        Compile(hloModuleProto, "hlo"u8, options ?? CompileOptions.Default);

    /// <summary>Compiles a program in any format the plugin accepts for this topology, without a client (<c>PJRT_Compile</c>).</summary>
    /// <returns>An unloaded executable the caller owns and must dispose.</returns>
    /// <exception cref="PjrtException">The compile failed, or the plugin lacks <c>PJRT_Compile</c> (UNIMPLEMENTED).</exception>
    public PjrtExecutable Compile(ReadOnlySpan<byte> code, ReadOnlySpan<byte> format, CompileOptions options)
    {
        var executable = PjrtProgramArgs.Compile(code, format, options, (program, optionBytes, optionsSize) => Plugin.Create(
            &Api->PJRT_Compile,
            new PJRT_Compile_Args { topology = Pointer, program = program, compile_options = optionBytes, compile_options_size = optionsSize },
            PjrtObjectKind.Executable,
            a => (nint)a.executable).executable);
        return PjrtExecutable.Own(Plugin, (PJRT_Executable*)executable, parent: null);
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"PJRT topology {Name} ({Plugin.Path})";
}
