using System.Globalization;
using System.Text;
using XlaPrune.Models;

namespace XlaPrune.Bench;

/// <summary>
/// Section 2d: where the time goes in the narrow networks the study profiles, read from the engine's
/// <c>XLAPRUNE_CPU_PROFILE</c> table (milliseconds per instruction kind) on the engine driver, steady-state steps.
/// </summary>
internal static class NarrowProfileBench
{
    private const int Steps = 5;
    private const int TopRows = 8;

    private static readonly (double Width, int Channels, int Batch)[] Shapes = [(0.125, 1, 128), (0.25, 3, 128)];

    public static string Run(string driver, CultureInfo ic)
    {
        var report = new StringBuilder();
        report.Append("## 2d. Where the time goes at narrow widths (engine driver, `XLAPRUNE_CPU_PROFILE=1`)\n\n");
        foreach (var (width, channels, batch) in Shapes)
        {
            var spec = Vgg16Spec.Cifar(inputChannels: channels, width: width);
            var (stepMs, rows) = EngineProfile.Run(driver, spec, batch, Steps);
            var total = rows.Sum(r => r.Ms);
            report.Append(ic, $"Width {width}, {channels} input channel(s), batch {batch}: step {stepMs:F1} ms (median of {Steps}); the timed instructions take {total / Steps:F1} ms per step on average.\n\n");
            report.Append("| instruction kind | runs per step | ms per step | share |\n| --- | --- | --- | --- |\n");
            foreach (var (kind, count, ms) in rows.OrderByDescending(r => r.Ms).Take(TopRows))
            {
                report.Append(ic, $"| {kind} | {count / Steps} | {ms / Steps:F2} | {100 * ms / total:F1} % |\n");
            }

            var rest = rows.OrderByDescending(r => r.Ms).Skip(TopRows).ToList();
            report.Append(ic, $"| {rest.Count} other kinds | {rest.Sum(r => r.Count) / Steps} | {rest.Sum(r => r.Ms) / Steps:F2} | {100 * rest.Sum(r => r.Ms) / total:F1} % |\n\n");
            Console.WriteLine(string.Create(ic, $"narrow profile w={width} c={channels} b={batch}: {stepMs:F1} ms"));
        }

        report.Append("The engine runs the train step without the PJRT layer; the table covers the timed steps (the warm-up step is\n");
        report.Append("excluded). A fusion is named after its root instruction.\n\n");
        return report.ToString();
    }
}
