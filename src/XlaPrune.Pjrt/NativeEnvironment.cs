using System.Runtime.InteropServices;

namespace XlaPrune.Pjrt;

/// <summary>
/// Sets variables in the process's native environment (what a plugin's <c>getenv</c> reads; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on Unix) before a plugin is
/// loaded. A value the user already set is kept. Which variables a plugin needs is the locator's knowledge
/// (<see cref="PluginCandidate.NativeDefaults"/>); this class only applies them.
/// </summary>
internal static partial class NativeEnvironment
{
    internal static void SetDefaults(IReadOnlyDictionary<string, string>? defaults)
    {
        if (defaults is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var (name, value) in defaults)
        {
            _ = SetEnv(name, value, 0); // overwrite = 0: a value the user chose stays
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
