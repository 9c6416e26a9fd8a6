using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A loaded PJRT plugin: its function table, version and attributes. Plugins are loaded once per
/// library, initialized once (<c>PJRT_Plugin_Initialize</c>) and never unloaded, so a
/// <see cref="PjrtPlugin"/> stays valid for the life of the process and needs no disposal.
/// </summary>
public sealed unsafe partial class PjrtPlugin
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

    /// <inheritdoc/>
    public override string ToString() => $"PJRT plugin {Path} (API {MajorVersion}.{MinorVersion})";
}
