using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Bench;

/// <summary>
/// The engine driver (native/bench/engine_bench.cc) run on a train step under <c>XLAPRUNE_CPU_PROFILE=1</c>: its median
/// step time and the table it prints on standard error, milliseconds per instruction kind over the timed steps.
/// </summary>
internal static partial class EngineProfile
{
    /// <summary>Runs <paramref name="steps"/> timed steps (after one warm-up) of the spec's train step in <paramref name="format"/> (the default's, NHWC, unless given).</summary>
    public static (double StepMs, IReadOnlyList<(string Kind, long Count, double Ms)> Rows) Run(string driver, Vgg16Spec spec, int batch, int steps, DataFormat format = DataFormat.Nhwc)
    {
        var path = Path.Combine(Path.GetTempPath(), $"xlaprune-bench-profile-{Environment.ProcessId}.pb");
        File.WriteAllBytes(path, Vgg16Programs.TrainStep(spec, batch, format: format).Module.ToProtoBytes());
        try
        {
            var psi = new ProcessStartInfo(driver, string.Create(CultureInfo.InvariantCulture, $"\"{path}\" {steps}")) { RedirectStandardOutput = true, RedirectStandardError = true };
            NativeEnvironment.PreferPassiveOpenMp(psi);
            psi.Environment["XLAPRUNE_CPU_PROFILE"] = "1";
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {driver}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var profile = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{driver} {path} exited {p.ExitCode}: {profile}");
            }

            return (JsonDocument.Parse(stdout.Result).RootElement.GetProperty("median_ms").GetDouble(), Parse(profile));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>One row per instruction kind: its name, how often it ran and its total milliseconds.</summary>
    public static IReadOnlyList<(string Kind, long Count, double Ms)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<(string, long, double)>();
        foreach (var line in text.Split('\n'))
        {
            var m = Row().Match(line);
            if (m.Success)
            {
                rows.Add((m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
            }
        }

        return rows.Count > 0 ? rows : throw new InvalidOperationException("no XLAPRUNE_CPU_PROFILE table in the engine driver's output");
    }

    [GeneratedRegex(@"^  (.+?)\s+(\d+) x\s+([0-9.]+) ms\s+[0-9.]+%$")]
    private static partial Regex Row();
}
