using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A loaded PJRT plugin: its function table, version and attributes. Plugins are loaded once per
/// library, initialized once (<c>PJRT_Plugin_Initialize</c>) and never unloaded, so a
/// <see cref="PjrtPlugin"/> stays valid for the life of the process and needs no disposal.
/// </summary>
public sealed unsafe class PjrtPlugin
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, PjrtPlugin> s_byPath = new(StringComparer.Ordinal);
    private static readonly Dictionary<nint, PjrtPlugin> s_byTable = [];

    private readonly PJRT_Api* _api;
    private IReadOnlyDictionary<string, object>? _attributes;

    private PjrtPlugin(string path, PJRT_Api* api, IReadOnlyDictionary<string, object>? defaultCreateOptions)
    {
        Path = path;
        _api = api;
        DefaultCreateOptions = defaultCreateOptions ?? new Dictionary<string, object>();
    }

    /// <summary>Where the library was loaded from (the canonical path, or the bare name the system loader resolved).</summary>
    public string Path { get; }

    /// <summary>The plugin's <c>PJRT_Api.pjrt_api_version.major_version</c>; always 0 for a loaded plugin.</summary>
    public int MajorVersion => _api->pjrt_api_version.major_version;

    /// <summary>The plugin's <c>PJRT_Api.pjrt_api_version.minor_version</c>.</summary>
    public int MinorVersion => _api->pjrt_api_version.minor_version;

    /// <summary>The plugin's <c>PJRT_Api.struct_size</c>: slots past it are absent.</summary>
    public long ApiStructSize => (long)_api->struct_size;

    /// <summary>Create options that came with the plugin (JAX's JSON description); used when none are given.</summary>
    public IReadOnlyDictionary<string, object> DefaultCreateOptions { get; }

    /// <summary>The plugin's attributes (<c>PJRT_Plugin_Attributes</c>), copied once. Values are string, long, long[], float or bool.</summary>
    public IReadOnlyDictionary<string, object> Attributes
    {
        get
        {
            if (_attributes is null)
            {
                PJRT_Plugin_Attributes_Args args = default;
                args.struct_size = PJRT_Plugin_Attributes_Args.STRUCT_SIZE;
                Require(&_api->PJRT_Plugin_Attributes);
                Check(_api->PJRT_Plugin_Attributes(&args));
                _attributes = PjrtNamedValues.Read(args.attributes, args.num_attributes);
            }

            return _attributes;
        }
    }

    internal PJRT_Api* Api => _api;

    /// <summary>
    /// Loads a plugin: an explicit path to a shared library; a name (<c>cpu</c>, <c>tpu</c>, <c>cuda</c>, or
    /// a name in <c>PJRT_NAMES_AND_LIBRARY_PATHS</c>); or, when null, the value of <c>XLAPRUNE_PJRT_PLUGIN</c>,
    /// else <c>cpu</c>. The same library is loaded and initialized only once per process.
    /// </summary>
    /// <exception cref="PjrtException">No candidate could be loaded; the message lists every path tried and why.</exception>
    public static PjrtPlugin Load(string? pathOrName = null)
    {
        if (pathOrName is null)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(PjrtPluginLocator.PluginVariable);
            pathOrName = string.IsNullOrWhiteSpace(fromEnvironment) ? "cpu" : fromEnvironment.Trim();
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrName);
        var candidates = PjrtPluginLocator.Candidates(pathOrName);
        var tried = new List<string>();
        lock (s_lock)
        {
            foreach (var candidate in candidates)
            {
                var plugin = TryLoad(candidate, tried);
                if (plugin is not null)
                {
                    return plugin;
                }
            }
        }

        var message = new StringBuilder($"Could not load PJRT plugin '{pathOrName}'.");
        if (tried.Count == 0)
        {
            message.Append(" No place to look for it exists on this machine.");
        }
        else
        {
            message.Append(" Tried:");
            foreach (var line in tried)
            {
                message.Append("\n  ").Append(line);
            }
        }

        throw new PjrtException(PjrtErrorCode.NotFound, message.ToString());
    }

    private static PjrtPlugin? TryLoad(PluginCandidate candidate, List<string> tried)
    {
        var path = candidate.Path;
        var isPath = path.Contains('/', StringComparison.Ordinal);
        if (isPath)
        {
            if (!File.Exists(path))
            {
                tried.Add($"{path}: file does not exist");
                return null;
            }

            path = Canonicalize(path);
        }

        if (s_byPath.TryGetValue(path, out var cached))
        {
            return cached;
        }

        OpenMpPolicy.PreferPassiveFor(path);
        if (!NativeLibrary.TryLoad(path, out var library))
        {
            tried.Add(isPath
                ? $"{path}: the system loader refused it ({LoaderError(path)})"
                : $"{path}: not found by the system loader");
            return null;
        }

        // Never freed: a plugin's code and static tables must outlive every object it handed out.
        if (!NativeLibrary.TryGetExport(library, "GetPjrtApi", out var getApi))
        {
            tried.Add($"{path}: no GetPjrtApi export, so it is not a PJRT plugin");
            return null;
        }

        var api = ((delegate* unmanaged[Cdecl]<PJRT_Api*>)getApi)();
        if (api == null)
        {
            tried.Add($"{path}: GetPjrtApi returned NULL");
            return null;
        }

        if (s_byTable.TryGetValue((nint)api, out cached))
        {
            s_byPath[path] = cached;
            return cached;
        }

        var minimumSize = (nuint)((byte*)&api->PJRT_Plugin_Attributes - (byte*)api + sizeof(nint));
        if (api->struct_size < minimumSize)
        {
            tried.Add($"{path}: its PJRT_Api table is {api->struct_size} bytes, too small to be a PJRT plugin");
            return null;
        }

        var major = api->pjrt_api_version.major_version;
        var minor = api->pjrt_api_version.minor_version;
        if (major != PjrtConstants.PJRT_API_MAJOR)
        {
            tried.Add($"{path}: PJRT API version {major}.{minor} is incompatible with version {PjrtConstants.PJRT_API_MAJOR}.{PjrtConstants.PJRT_API_MINOR} used here (major versions differ)");
            return null;
        }

        var plugin = new PjrtPlugin(path, api, candidate.CreateOptions);
        try
        {
            PJRT_Plugin_Initialize_Args args = default;
            args.struct_size = PJRT_Plugin_Initialize_Args.STRUCT_SIZE;
            plugin.Require(&api->PJRT_Plugin_Initialize);
            plugin.Check(api->PJRT_Plugin_Initialize(&args));
        }
        catch (PjrtException e)
        {
            tried.Add($"{path}: PJRT_Plugin_Initialize failed: {e.Code}: {e.Message}");
            return null;
        }

        s_byPath[path] = plugin;
        s_byTable[(nint)api] = plugin;
        return plugin;
    }

    private static string Canonicalize(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? full;
    }

    private static string LoaderError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "unknown reason";
        }
        catch (DllNotFoundException e)
        {
            // The runtime's message ends with the dynamic loader's own line: "<path>: <reason>".
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            return reason.StartsWith(path + ": ", StringComparison.Ordinal) ? reason[(path.Length + 2)..] : reason;
        }
    }

    /// <summary>Creates a client; <paramref name="options"/> become the create options (named values).</summary>
    /// <param name="options">Values are string, long/int, long[], float or bool. Null uses <see cref="DefaultCreateOptions"/>.</param>
    /// <returns>A client the caller owns and must dispose.</returns>
    public PjrtClient CreateClient(IReadOnlyDictionary<string, object>? options = null) =>
        PjrtClient.Create(this, options ?? DefaultCreateOptions);

    /// <summary>
    /// Creates the topology <paramref name="name"/> (for example <c>cpu:4</c> on our plugin, <c>v5e:2x2</c> in libtpu) to
    /// compile for without a client; <paramref name="options"/> become its create options.
    /// </summary>
    /// <returns>A topology the caller owns and must dispose.</returns>
    /// <exception cref="PjrtException">The plugin refuses the name or an option, or lacks the call (UNIMPLEMENTED naming it).</exception>
    public PjrtTopology CreateTopology(string name, IReadOnlyDictionary<string, object>? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return PjrtTopology.Create(this, name, options ?? new Dictionary<string, object>());
    }

    /// <summary>A new, not yet completed event that the caller completes with <see cref="PjrtEvent.Set"/> and disposes.</summary>
    public PjrtEvent CreateEvent()
    {
        PJRT_Event_Create_Args args = default;
        args.struct_size = PJRT_Event_Create_Args.STRUCT_SIZE;
        Require(&_api->PJRT_Event_Create);
        Check(_api->PJRT_Event_Create(&args), PjrtObjectKind.Event, args.@event);
        return new PjrtEvent(this, args.@event, client: null);
    }

    /// <summary>
    /// Everything a user wants to see about the plugin: versions, attributes, and the devices and memories of a
    /// client created for the purpose (and disposed before returning).
    /// </summary>
    public PjrtPluginDescription Describe(IReadOnlyDictionary<string, object>? options = null)
    {
        using var client = CreateClient(options);
        var devices = client.Devices.Select(d => new PjrtDeviceInfo(d.Id, d.Kind, d.ProcessIndex, d.IsAddressable, d.Attributes)).ToList();
        IReadOnlyList<PjrtMemoryInfo> memories;
        try
        {
            memories = client.AddressableMemories.Select(m => new PjrtMemoryInfo(m.Id, m.Kind, m.AddressableByDevices.Select(d => d.Id).ToList())).ToList();
        }
        catch (PjrtException e) when (e.Code == PjrtErrorCode.Unimplemented)
        {
            memories = [];
        }

        return new PjrtPluginDescription(Path, MajorVersion, MinorVersion, ApiStructSize, Attributes,
            client.PlatformName, client.PlatformVersion, devices, memories);
    }

    /// <summary>
    /// Throws unless <paramref name="slot"/> (the address of a <c>PJRT_Api</c> field) lies inside this plugin's
    /// table and is filled in.
    /// </summary>
    internal void Require(void* slot, [CallerArgumentExpression(nameof(slot))] string expression = "")
    {
        var end = (nuint)((byte*)slot - (byte*)_api) + (nuint)sizeof(nint);
        if (end > _api->struct_size || *(void**)slot == null)
        {
            throw new PjrtException(PjrtErrorCode.Unimplemented,
                $"{SlotName(expression)} is not available in this plugin (version {MajorVersion}.{MinorVersion})");
        }
    }

    private static string SlotName(string expression)
    {
        var arrow = expression.LastIndexOf("->", StringComparison.Ordinal);
        return arrow >= 0 ? expression[(arrow + 2)..].Trim(')', ' ') : expression;
    }

    /// <summary>The error funnel: null is success; anything else is copied, destroyed and thrown.</summary>
    internal void Check(PJRT_Error* error, [CallerArgumentExpression(nameof(error))] string call = "")
    {
        if (error != null)
        {
            throw Named(TakeError(error), call);
        }
    }

    /// <summary>
    /// An UNIMPLEMENTED error whose message does not name the call gets the call's name in front (a plugin may say only
    /// "not implemented"); other errors pass unchanged.
    /// </summary>
    private static PjrtException Named(PjrtException error, string call)
    {
        var name = CallName(call);
        return error.Code != PjrtErrorCode.Unimplemented || name.Length == 0 || error.Message.Contains(name, StringComparison.Ordinal)
            ? error
            : new PjrtException(error.Code, $"{name}: {error.Message}");
    }

    // "Api->PJRT_Compile(&args)" -> "PJRT_Compile".
    private static string CallName(string expression)
    {
        var arrow = expression.LastIndexOf("->", StringComparison.Ordinal);
        var name = arrow >= 0 ? expression[(arrow + 2)..] : "";
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        return (paren >= 0 ? name[..paren] : name).Trim();
    }

    /// <summary>
    /// The error funnel for calls that create an object: on error, an output the plugin filled in anyway is
    /// destroyed before the error is thrown.
    /// </summary>
    internal void Check(PJRT_Error* error, PjrtObjectKind outputKind, void* output, [CallerArgumentExpression(nameof(error))] string call = "")
    {
        if (error != null)
        {
            if (output != null)
            {
                Destroy(outputKind, output);
            }

            throw Named(TakeError(error), call);
        }
    }

    /// <summary>
    /// Blocks on an event the caller owns, then destroys it; returns the event's error as an exception to throw, or null
    /// on success. The fast path of a synchronous wait: no managed wrapper is made for the event.
    /// </summary>
    internal PjrtException? AwaitAndDestroy(PJRT_Event* @event)
    {
        PJRT_Error* error;
        try
        {
            PJRT_Event_Await_Args args = default;
            args.struct_size = PJRT_Event_Await_Args.STRUCT_SIZE;
            args.@event = @event;
            Require(&_api->PJRT_Event_Await);
            error = _api->PJRT_Event_Await(&args);
        }
        finally
        {
            Destroy(PjrtObjectKind.Event, @event);
        }

        return error == null ? null : TakeError(error);
    }

    /// <summary>Copies code and message out of <paramref name="error"/>, destroys it, and returns the exception.</summary>
    internal PjrtException TakeError(PJRT_Error* error)
    {
        var code = PjrtErrorCode.Unknown;
        string message;
        try
        {
            PJRT_Error_GetCode_Args codeArgs = default;
            codeArgs.struct_size = PJRT_Error_GetCode_Args.STRUCT_SIZE;
            codeArgs.error = error;
            var codeError = _api->PJRT_Error_GetCode(&codeArgs);
            if (codeError == null)
            {
                code = (PjrtErrorCode)codeArgs.code;
            }
            else
            {
                DestroyError(codeError);
            }

            PJRT_Error_Message_Args messageArgs = default;
            messageArgs.struct_size = PJRT_Error_Message_Args.STRUCT_SIZE;
            messageArgs.error = error;
            _api->PJRT_Error_Message(&messageArgs);
            message = NativeText.Read(messageArgs.message, messageArgs.message_size);
        }
        finally
        {
            DestroyError(error);
        }

        return new PjrtException(code, message);
    }

    private void DestroyError(PJRT_Error* error)
    {
        PJRT_Error_Destroy_Args args = default;
        args.struct_size = PJRT_Error_Destroy_Args.STRUCT_SIZE;
        args.error = error;
        _api->PJRT_Error_Destroy(&args);
    }

    /// <summary>Destroys an owned object; errors from the destroy call are destroyed too (nothing to report to).</summary>
    internal void Destroy(PjrtObjectKind kind, void* pointer)
    {
        PJRT_Error* error = null;
        switch (kind)
        {
            case PjrtObjectKind.Client:
                {
                    PJRT_Client_Destroy_Args args = default;
                    args.struct_size = PJRT_Client_Destroy_Args.STRUCT_SIZE;
                    args.client = (PJRT_Client*)pointer;
                    error = _api->PJRT_Client_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Buffer:
                {
                    PJRT_Buffer_Destroy_Args args = default;
                    args.struct_size = PJRT_Buffer_Destroy_Args.STRUCT_SIZE;
                    args.buffer = (PJRT_Buffer*)pointer;
                    error = _api->PJRT_Buffer_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.LoadedExecutable:
                {
                    PJRT_LoadedExecutable_Destroy_Args args = default;
                    args.struct_size = PJRT_LoadedExecutable_Destroy_Args.STRUCT_SIZE;
                    args.executable = (PJRT_LoadedExecutable*)pointer;
                    error = _api->PJRT_LoadedExecutable_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Executable:
                {
                    PJRT_Executable_Destroy_Args args = default;
                    args.struct_size = PJRT_Executable_Destroy_Args.STRUCT_SIZE;
                    args.executable = (PJRT_Executable*)pointer;
                    error = _api->PJRT_Executable_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Topology:
                {
                    PJRT_TopologyDescription_Destroy_Args args = default;
                    args.struct_size = PJRT_TopologyDescription_Destroy_Args.STRUCT_SIZE;
                    args.topology = (PJRT_TopologyDescription*)pointer;
                    error = _api->PJRT_TopologyDescription_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Event:
                {
                    PJRT_Event_Destroy_Args args = default;
                    args.struct_size = PJRT_Event_Destroy_Args.STRUCT_SIZE;
                    args.@event = (PJRT_Event*)pointer;
                    error = _api->PJRT_Event_Destroy(&args);
                    break;
                }
        }

        if (error != null)
        {
            DestroyError(error);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"PJRT plugin {Path} (API {MajorVersion}.{MinorVersion})";
}

/// <summary>A summary of a plugin for display (<c>xlaprune plugin info</c>).</summary>
/// <param name="Path">Where the library was loaded from.</param>
/// <param name="MajorVersion">PJRT API major version of the plugin.</param>
/// <param name="MinorVersion">PJRT API minor version of the plugin.</param>
/// <param name="ApiStructSize">Size of the plugin's function table in bytes.</param>
/// <param name="Attributes">Plugin attributes.</param>
/// <param name="PlatformName">The client's platform name (for example <c>cpu</c>).</param>
/// <param name="PlatformVersion">The client's platform version string.</param>
/// <param name="Devices">Every device the client sees.</param>
/// <param name="Memories">Every memory addressable by the client.</param>
public sealed record PjrtPluginDescription(
    string Path,
    int MajorVersion,
    int MinorVersion,
    long ApiStructSize,
    IReadOnlyDictionary<string, object> Attributes,
    string PlatformName,
    string PlatformVersion,
    IReadOnlyList<PjrtDeviceInfo> Devices,
    IReadOnlyList<PjrtMemoryInfo> Memories);

/// <summary>A device as shown by <see cref="PjrtPlugin.Describe"/>.</summary>
/// <param name="Id">Global device id.</param>
/// <param name="Kind">Device kind (vendor-defined, for example <c>cpu</c>).</param>
/// <param name="ProcessIndex">Index of the process that owns the device.</param>
/// <param name="IsAddressable">Whether this process can use the device.</param>
/// <param name="Attributes">Device description attributes.</param>
public sealed record PjrtDeviceInfo(int Id, string Kind, int ProcessIndex, bool IsAddressable, IReadOnlyDictionary<string, object> Attributes);

/// <summary>A memory as shown by <see cref="PjrtPlugin.Describe"/>.</summary>
/// <param name="Id">Memory id.</param>
/// <param name="Kind">Memory kind (for example <c>device</c>, <c>pinned_host</c>).</param>
/// <param name="DeviceIds">Ids of the devices that can address this memory.</param>
public sealed record PjrtMemoryInfo(int Id, string Kind, IReadOnlyList<int> DeviceIds);
