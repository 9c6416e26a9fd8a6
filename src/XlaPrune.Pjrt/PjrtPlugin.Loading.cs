using System.Runtime.InteropServices;
using System.Text;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

// Loading: finding the library, dlopen, version checks, Initialize; each library once per process.
public sealed unsafe partial class PjrtPlugin
{
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

        NativeEnvironment.SetDefaults(candidate.NativeDefaults);
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
            plugin.Call(&api->PJRT_Plugin_Initialize, new PJRT_Plugin_Initialize_Args());
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
}
