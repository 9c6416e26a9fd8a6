using System.Text.Json;

namespace XlaPrune.Pjrt;

/// <summary>One place a plugin may be, with create options that came with it (JAX's JSON form).</summary>
internal sealed record PluginCandidate(string Path, IReadOnlyDictionary<string, object>? CreateOptions = null);

/// <summary>Turns a path or plugin name into the list of places to try, in order.</summary>
internal static class PjrtPluginLocator
{
    public const string PluginVariable = "XLAPRUNE_PJRT_PLUGIN";
    public const string JaxVariable = "PJRT_NAMES_AND_LIBRARY_PATHS";
    public const string CpuLibrary = "libxlaprune_pjrt_cpu.so";

    public static bool LooksLikePath(string value) =>
        value.Contains('/', StringComparison.Ordinal) || value.EndsWith(".so", StringComparison.Ordinal) || value.Contains(".so.", StringComparison.Ordinal);

    public static List<PluginCandidate> Candidates(string pathOrName)
    {
        if (LooksLikePath(pathOrName))
        {
            return [FromPath(pathOrName)];
        }

        var name = pathOrName.ToLowerInvariant();
        var candidates = new List<PluginCandidate>();
        foreach (var (jaxName, jaxPath) in JaxPlugins())
        {
            if (string.Equals(jaxName, name, StringComparison.OrdinalIgnoreCase))
            {
                candidates.Add(FromPath(jaxPath));
            }
        }

        switch (name)
        {
            case "cpu":
                candidates.Add(new PluginCandidate(Path.Combine(AppContext.BaseDirectory, CpuLibrary)));
                // Where a portable app that took the XlaPrune.Pjrt package keeps the packaged plugin.
                candidates.Add(new PluginCandidate(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", CpuLibrary)));
                if (FindRepositoryRoot() is { } root)
                {
                    candidates.Add(new PluginCandidate(Path.Combine(root, "artifacts", "native", "lib", CpuLibrary)));
                }

                break;
            case "tpu":
                if (Environment.GetEnvironmentVariable("TPU_LIBRARY_PATH") is { Length: > 0 } tpuPath)
                {
                    candidates.Add(new PluginCandidate(tpuPath));
                }

                candidates.AddRange(SitePackages().Select(p => new PluginCandidate(Path.Combine(p, "libtpu", "libtpu.so"))));
                candidates.Add(new PluginCandidate("libtpu.so"));
                break;
            case "cuda":
                foreach (var site in SitePackages())
                {
                    candidates.Add(new PluginCandidate(Path.Combine(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so")));
                    candidates.Add(new PluginCandidate(Path.Combine(site, "jax_plugins", "xla_cuda12", "xla_cuda_plugin.so")));
                }

                break;
            default:
                if (candidates.Count == 0)
                {
                    throw new ArgumentException(
                        $"Unknown PJRT plugin name '{pathOrName}': use a path to a plugin library, one of cpu, tpu, cuda, or a name listed in {JaxVariable}.",
                        nameof(pathOrName));
                }

                break;
        }

        return candidates;
    }

    /// <summary>Parses JAX's <c>name1:path1,name2:path2</c> variable.</summary>
    public static IEnumerable<(string Name, string Path)> JaxPlugins()
    {
        var value = Environment.GetEnvironmentVariable(JaxVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }

        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && colon < entry.Length - 1)
            {
                yield return (entry[..colon], entry[(colon + 1)..]);
            }
        }
    }

    private static PluginCandidate FromPath(string path)
    {
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
        {
            return new PluginCandidate(path);
        }

        // JAX's JSON form: {"library_path": "...", "create_options": {...}}.
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("library_path", out var library) || library.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException($"PJRT plugin description '{path}' has no \"library_path\" string.", nameof(path));
        }

        var libraryPath = library.GetString()!;
        if (!Path.IsPathRooted(libraryPath))
        {
            libraryPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, libraryPath);
        }

        Dictionary<string, object>? options = null;
        if (root.TryGetProperty("create_options", out var createOptions) && createOptions.ValueKind == JsonValueKind.Object)
        {
            options = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var option in createOptions.EnumerateObject())
            {
                options[option.Name] = option.Value.ValueKind switch
                {
                    JsonValueKind.String => option.Value.GetString()!,
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number when option.Value.TryGetInt64(out var integer) => integer,
                    JsonValueKind.Number => (float)option.Value.GetDouble(),
                    JsonValueKind.Array => option.Value.EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    _ => throw new ArgumentException($"Create option '{option.Name}' in '{path}' is not a string, number, bool or integer list.", nameof(path)),
                };
            }
        }

        return new PluginCandidate(libraryPath, options);
    }

    /// <summary>The folder holding XlaPrune.sln above the application, if the app runs from a checkout.</summary>
    public static string? FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "XlaPrune.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    /// <summary>Python package folders where pip puts JAX plugins and libtpu, most specific first.</summary>
    private static IEnumerable<string> SitePackages()
    {
        var roots = new List<string>();
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } prefix)
            {
                roots.Add(Path.Combine(prefix, "lib"));
            }
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
        {
            roots.Add(Path.Combine(home, ".local", "lib"));
        }

        roots.Add("/usr/local/lib");
        roots.Add("/usr/lib");
        var result = new List<string>();
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var python in Directory.GetDirectories(root, "python3*").Order(StringComparer.Ordinal).Reverse())
            {
                result.Add(Path.Combine(python, "site-packages"));
                result.Add(Path.Combine(python, "dist-packages"));
            }
        }

        return result.Where(Directory.Exists);
    }
}
