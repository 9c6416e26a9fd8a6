using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using XlaPrune.Hlo;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Bench;

/// <summary>
/// Section 6 of the bench: what each engine change buys, measured in this run by switching the
/// change off (the engine's XLAPRUNE_CPU_* switches) in the native engine driver, which runs a
/// train step on the engine without the PJRT layer.
/// </summary>
internal static class EngineAbBench
{
    private static readonly (string Name, DataFormat Format, string[] Environment)[] Variants =
    [
        ("im2col + sgemm convolutions, no fusion (NCHW program)", DataFormat.Nchw, ["XLAPRUNE_CPU_GENERIC_CONV=1", "XLAPRUNE_CPU_NO_FUSION=1"]),
        ("+ oneDNN convolution primitives", DataFormat.Nchw, ["XLAPRUNE_CPU_NO_FUSION=1"]),
        ("+ element-wise fusion", DataFormat.Nchw, []),
        ("NHWC program, convolutions through oneDNN's blocked layouts", DataFormat.Nhwc, ["XLAPRUNE_CPU_BLOCKED_CONV=1"]),
        ("+ channels-last convolutions (the default)", DataFormat.Nhwc, []),
    ];

    private static readonly (double Width, int Batch)[] Shapes = [(0.25, 32), (1.0, 32)];

    public static void Append(StringBuilder report, string driver, CultureInfo ic)
    {
        report.Append("## 6. What each engine change buys (train step on the engine alone, median of 3 steps)\n\n");
        report.Append("| variant | w=0.25 b=32 ms | speed-up | w=1 b=32 ms | speed-up |\n| --- | --- | --- | --- | --- |\n");
        var files = new Dictionary<(DataFormat, int), string>();
        try
        {
            foreach (var format in Variants.Select(v => v.Format).Distinct())
            {
                for (var f = 0; f < Shapes.Length; f++)
                {
                    var (width, batch) = Shapes[f];
                    var path = Path.Combine(Path.GetTempPath(), $"xlaprune-bench-w{width}-b{batch}-{format}-{Environment.ProcessId}.pb");
                    File.WriteAllBytes(path, Vgg16Programs.TrainStep(Vgg16Spec.Cifar(width: width), batch, format: format).Module.ToProtoBytes());
                    files[(format, f)] = path;
                }
            }

            var first = new double[Shapes.Length];
            foreach (var (name, format, environment) in Variants)
            {
                report.Append("| ").Append(name);
                for (var f = 0; f < Shapes.Length; f++)
                {
                    var ms = Median(driver, files[(format, f)], environment);
                    if (first[f] == 0)
                    {
                        first[f] = ms;
                    }

                    report.Append(ic, $" | {ms:F1} | {first[f] / ms:F2}×");
                    Console.WriteLine($"engine {name} {Path.GetFileName(files[(format, f)])}: {ms:F1} ms");
                }

                report.Append(" |\n");
            }
        }
        finally
        {
            foreach (var f in files.Values)
            {
                File.Delete(f);
            }
        }

        report.Append("\nThe data-movement, reduction and pooling kernels (strided copy, run-wise reduce, 2-D windows) are in every\n");
        report.Append("row; the change log below has the step before them. The last two rows run the NHWC program the study runs\n");
        report.Append("(channels-last pooling and reductions in both); they differ only in whether convolutions copy activations to\n");
        report.Append("and from oneDNN's blocked layouts.\n");
    }

    private static double Median(string driver, string file, string[] environment)
    {
        var psi = new ProcessStartInfo(driver, $"\"{file}\" 3") { RedirectStandardOutput = true, RedirectStandardError = true };
        NativeEnvironment.PreferPassiveOpenMp(psi);
        foreach (var e in environment)
        {
            var kv = e.Split('=', 2);
            psi.Environment[kv[0]] = kv[1];
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {driver}");
        var text = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{driver} {file} exited {p.ExitCode}: {error}");
        }

        return JsonDocument.Parse(text).RootElement.GetProperty("median_ms").GetDouble();
    }
}
