using System.Runtime.InteropServices;

namespace XlaPrune.Pjrt;

/// <summary>
/// Our CPU plugin and its oneDNN run on OpenMP (libgomp). By default idle libgomp workers spin,
/// which is fastest on an otherwise idle machine but collapses when other processes want the
/// cores: on this project's 2-core machine a train step took 680-3,600 ms under a parallel build
/// against 260 ms with sleeping workers. libgomp reads its policy from the environment once, when
/// it is loaded, so it is set (unless the user chose one) just before the plugin loads it.
/// </summary>
internal static partial class OpenMpPolicy
{
    internal const string Variable = "OMP_WAIT_POLICY";

    internal static void PreferPassiveFor(string pluginPath)
    {
        if (!Path.GetFileName(pluginPath).StartsWith("libxlaprune_pjrt_cpu", StringComparison.Ordinal) || !OperatingSystem.IsLinux())
        {
            return;
        }

        // The native environment, not .NET's copy of it, is what libgomp reads; overwrite = 0
        // keeps a policy the user set.
        _ = SetEnv(Variable, "passive", 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
