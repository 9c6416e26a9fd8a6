using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace XlaPrune.Study.Tests;

/// <summary>
/// Crash safety of <c>xlaprune study</c>: the command runs as a child process and is killed (the whole
/// process tree, SIGKILL) at seeded random moments, then rerun with the same command until it
/// finishes. The finished study must hold every cell exactly once, match an uninterrupted run's cell
/// set, and no cell finished before a kill may have been computed again.
/// </summary>
public sealed class StudyKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_251_125;
    private const int KillPoints = 6;

    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-study-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] s_cells =
        ["l1-scratch_r0.00_s0", "l1-scratch_r0.50_s0", "slimming-reload_r0.00_s0", "slimming-reload_r0.50_s0"];

    [Fact]
    public void Study_killed_at_random_points_resumes_without_redoing_finished_cells_or_corrupting_results()
    {
        var reference = Path.Combine(_dir, "reference");
        var clock = Stopwatch.StartNew();
        var full = RunStudy(reference, killAfter: null);
        Assert.True(full.ExitCode == 0, full.StdErr);
        var fullSeconds = clock.Elapsed.TotalSeconds;
        var expected = ReadResults(reference);
        Assert.Equal(s_cells, expected);

        var killed = Path.Combine(_dir, "killed");
        var random = new Random(Seed);
        var finishedAt = new Dictionary<string, (DateTime Time, byte[] Bytes)>(StringComparer.Ordinal);
        var log = new List<string>();
        var kills = 0;
        for (var k = 0; k < 2 * KillPoints && kills < KillPoints; k++)
        {
            // Each run resumes the last, so its length shrinks with the cells still to do: kill
            // points are drawn from 40 % of an uninterrupted run's length scaled by that share
            // (startup included), to land in every stage however fast the machine is.
            var remaining = Math.Max(0.25, (double)(s_cells.Length - finishedAt.Count) / s_cells.Length);
            var delay = TimeSpan.FromSeconds(0.3 + (random.NextDouble() * fullSeconds * remaining * 0.4));
            var run = RunStudy(killed, delay);
            var cells = FinishedCells(killed);
            log.Add(string.Create(CultureInfo.InvariantCulture, $"kill {k + 1} at {delay.TotalSeconds:F1} s: {(run.ExitCode == 0 ? "finished before the kill" : "killed")}, {cells.Count} cells finished"));
            foreach (var (id, state) in finishedAt)
            {
                // A cell finished before an earlier kill is never written again.
                Assert.True(cells.TryGetValue(id, out var now), $"cell {id} disappeared after kill {k + 1}");
                Assert.Equal(state.Time, now.Time);
                Assert.Equal(state.Bytes, now.Bytes);
            }

            foreach (var (id, state) in cells)
            {
                finishedAt.TryAdd(id, state);
            }

            if (run.ExitCode == 0)
            {
                break; // nothing left to kill
            }

            kills++;
        }

        log.ForEach(output.WriteLine);
        Assert.True(kills >= 3, $"only {kills} runs were killed before the study finished (uninterrupted run {fullSeconds:F1} s)");

        var rerun = RunStudy(killed, killAfter: null);
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uninterrupted run {fullSeconds:F1} s; {finishedAt.Count} cells finished before the final rerun"));

        Assert.Equal(expected, ReadResults(killed));
        var final = FinishedCells(killed);
        foreach (var (id, state) in finishedAt)
        {
            Assert.Equal(state.Time, final[id].Time);
            Assert.Equal(state.Bytes, final[id].Bytes);
        }

    }

    // results.json and results.csv: both parse and hold every cell exactly once, in the same order.
    private static List<string> ReadResults(string dir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var fromJson = json.RootElement.EnumerateArray()
            .Select(c => StudyRunner.CellId(c.GetProperty("method").GetString()!, c.GetProperty("ratio").GetDouble(), c.GetProperty("seed").GetInt32()))
            .ToList();
        var csv = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal(ReportWriter.CsvHeader, csv[0]);
        var fromCsv = csv.Skip(1).Select(l => l.Split(','))
            .Select(f => StudyRunner.CellId(f[0], double.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(fromJson, fromCsv);
        Assert.Equal(fromJson.Count, fromJson.Distinct(StringComparer.Ordinal).Count());
        return fromJson;
    }

    // Finished cells: each file must parse (it is written atomically), with its time and bytes.
    private static Dictionary<string, (DateTime Time, byte[] Bytes)> FinishedCells(string dir)
    {
        var cells = Path.Combine(dir, "cells");
        var result = new Dictionary<string, (DateTime, byte[])>(StringComparer.Ordinal);
        if (!Directory.Exists(cells))
        {
            return result;
        }

        foreach (var path in Directory.EnumerateFiles(cells, "*.json"))
        {
            var bytes = File.ReadAllBytes(path);
            using var cell = JsonDocument.Parse(bytes);
            Assert.Equal(Path.GetFileNameWithoutExtension(path),
                StudyRunner.CellId(cell.RootElement.GetProperty("method").GetString()!, cell.RootElement.GetProperty("ratio").GetDouble(), cell.RootElement.GetProperty("seed").GetInt32()));
            result[Path.GetFileNameWithoutExtension(path)] = (File.GetLastWriteTimeUtc(path), bytes);
        }

        return result;
    }

    private sealed record Run(int ExitCode, string StdErr);

    // The smallest study the options allow: VGG-16 at 1/8 width, 64 training and 32 test images,
    // one baseline epoch, one retraining epoch, two methods at two ratios, no profiling.
    private static Run RunStudy(string outDir, TimeSpan? killAfter)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            CliDll(), "study", "--no-profile", "--methods", "slimming-reload,l1-scratch", "--ratios", "0,0.5",
            "--train-limit", "512", "--test-limit", "32", "--baseline-epochs", "1", "--retrain-epochs", "1", "--out", outDir,
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(killAfter ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            if (killAfter is null)
            {
                throw new TimeoutException("xlaprune study did not finish in 3 minutes");
            }
        }

        _ = stdout.Result;
        return new Run(process.ExitCode, stderr.Result);
    }

    // The xlaprune built beside this test assembly: artifacts/bin/XlaPrune.Cli/<configuration>/xlaprune.dll.
    private static string CliDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(here.Parent!.Parent!.FullName, "XlaPrune.Cli", here.Name, "xlaprune.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build src/XlaPrune.Cli first.");
    }
}
