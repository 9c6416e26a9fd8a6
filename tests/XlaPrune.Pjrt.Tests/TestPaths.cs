namespace XlaPrune.Pjrt.Tests;

/// <summary>Where the native test artifacts are: artifacts/native/lib of this checkout.</summary>
internal static class TestPaths
{
    public static string NativeLib { get; } = Path.Combine(
        FindRoot() ?? throw new InvalidOperationException("Tests must run from inside the XlaPrune checkout (no XlaPrune.sln above " + AppContext.BaseDirectory + ")."),
        "artifacts", "native", "lib");

    public static string Fake(string name)
    {
        var path = Path.Combine(NativeLib, $"libxlaprune_fake_{name}.so");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the CMake target xlaprune_fake_plugins (the Native Cake target) first.");
        }

        return Path.GetFullPath(path);
    }

    private static string? FindRoot()
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
}

/// <summary>Sets an environment variable for the life of a test and restores it.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentScope(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
