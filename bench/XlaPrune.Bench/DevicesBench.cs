using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using XlaPrune.Models;
using XlaPrune.Pjrt;
using XlaPrune.Programs;
using XlaPrune.Study;

namespace XlaPrune.Bench;

/// <summary>
/// Section 8: the data-parallel train step against the number of devices on our CPU plugin, at a fixed global
/// batch, and the all-reduce's share of the step from the plugin's own per-instruction profile.
/// </summary>
internal static partial class DevicesBench
{
    private static readonly int[] s_devices = [1, 2, 4];

    public static void Append(StringBuilder report, PjrtPlugin plugin, string root, CultureInfo ic)
    {
        const double width = 0.25;
        const int batch = 128;
        var spec = Vgg16Spec.Cifar(width: width);
        report.Append(ic, $"## 8. Data-parallel train step vs devices on our CPU plugin (width {width}, global batch {batch})\n\n");
        report.Append(ic, $"The plugin's devices are virtual: all of them share this machine's {Environment.ProcessorCount} cores, so more devices add no compute: a ratio above 1 is the cost of ");
        report.Append("replication (the gradient all-reduce, smaller per-device convolutions, replicas competing for the cores), a ratio below 1 comes from how the engine uses the same cores at a smaller per-device batch. Neither is the speed-up a real multi-chip slice would give.\n\n");
        report.Append("| devices | per-device batch | step ms (median) | / 1 device | all-reduce share of the step |\n| --- | --- | --- | --- | --- |\n");
        double? one = null;
        foreach (var devices in s_devices)
        {
            using var profiler = new PjrtStepProfiler(plugin, devices);
            var ms = profiler.Profile(spec, batch, steps: 3, warmup: 1, CancellationToken.None).StepMs.Median;
            one ??= ms;
            var share = devices == 1 ? "none (no all-reduce)" : AllReduceShare(root, devices, width, batch);
            report.Append(ic, $"| {devices} | {batch / devices} | {ms:F1} | {ms / one.Value:F2} | {share} |\n");
            Console.WriteLine($"devices {devices}: {ms:F1} ms, all-reduce {share}");
        }

        report.Append("\nThe all-reduce share is read from `XLAPRUNE_CPU_PROFILE=1 xlaprune profile --devices N` (the plugin's time per instruction kind over all replicas); it includes the time a replica waits for the others to arrive.\n\n");
    }

    private static string AllReduceShare(string root, int devices, double width, int batch)
    {
        var cli = Path.Combine(root, "artifacts", "bin", "XlaPrune.Cli", "release", "xlaprune.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { cli, "profile", "--devices", devices.ToString(CultureInfo.InvariantCulture), "--width", width.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--steps", "3", "--warmup", "1", "--json" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["XLAPRUNE_CPU_PROFILE"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the CLI");
        _ = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var match = AllReduceRow().Match(err);
        return p.ExitCode != 0 ? $"unmeasured (profile exited {p.ExitCode})" : match.Success ? $"{match.Groups[1].Value} %" : "0 % (no all-reduce row)";
    }

    [GeneratedRegex(@"^\s*all-reduce\s+\d+ x\s+[\d.]+ ms\s+([\d.]+)%", RegexOptions.Multiline)]
    private static partial Regex AllReduceRow();
}
