using System.Diagnostics;

namespace XlaPrune.Bench;

/// <summary>How the bench starts its native drivers and its load generator.</summary>
internal static class NativeEnvironment
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>
    /// Gives a native driver of our engine the passive OpenMP wait policy that the .NET plugin
    /// loader sets for users (OpenMpPolicy in XlaPrune.Pjrt), unless the user chose a policy: a
    /// driver with spinning workers collapses when another process wants the cores, and would
    /// measure something no user runs. (.NET starts children from its own copy of the environment,
    /// which does not see the loader's native setenv.)
    /// </summary>
    public static void PreferPassiveOpenMp(ProcessStartInfo psi)
    {
        ArgumentNullException.ThrowIfNull(psi);
        if (Environment.GetEnvironmentVariable(WaitPolicy) is null)
        {
            psi.Environment[WaitPolicy] = "passive";
        }
    }

    /// <summary>Runs a native driver with the passive policy and returns its standard output.</summary>
    public static string Run(string exe, string arguments)
    {
        var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        PreferPassiveOpenMp(psi);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? text.Trim() : throw new InvalidOperationException($"{exe} {arguments} exited {p.ExitCode}: {stderr.Result}");
    }
}

/// <summary>A second process that keeps one core busy (a shell busy loop) until disposed.</summary>
internal sealed class BusyCore : IDisposable
{
    private readonly Process _process;

    public BusyCore()
    {
        _process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"])) ?? throw new InvalidOperationException("cannot start /bin/sh");
        Thread.Sleep(200); // let it reach the loop before anything is timed
    }

    /// <summary>Total CPU time the busy process used so far (to show it really ran).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
