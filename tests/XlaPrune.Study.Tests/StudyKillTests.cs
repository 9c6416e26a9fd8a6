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
        var full = RunStudy(reference, kill: null);
        Assert.True(full.ExitCode == 0, full.StdErr);
        var expected = ReadResults(reference);
        Assert.Equal(s_cells, expected);

        var killed = Path.Combine(_dir, "killed");
        var random = new Random(Seed);
        var finishedAt = new Dictionary<string, (DateTime Time, byte[] Bytes)>(StringComparer.Ordinal);
        var log = new List<string>();
        var kills = 0;
        var reachedCells = false;
        for (var k = 0; k < 2 * KillPoints && kills < KillPoints; k++)
        {
            // Kill points follow the study's progress, not the clock, so they land in every stage
            // however busy the machine is: at most 50 ms after a random one of the progress lines
            // still to come (a cell prints one when it starts and one when it is done). Until a
            // killed run has got as far as its first cell, line 0 (startup and baseline training,
            // timed by the uninterrupted run) is a candidate too.
            // Once every cell is done only startup and the report are left: kill early in the run.
            var left = 2 * (s_cells.Length - finishedAt.Count);
            var lines = left == 0 ? 0 : reachedCells ? 1 + random.Next(left - 1) : random.Next(left);
            var delay = TimeSpan.FromSeconds(
                left == 0 ? 0.2 + (random.NextDouble() * 0.6)
                : lines == 0 ? 0.3 + (random.NextDouble() * 0.5 * full.FirstLineSeconds)
                : random.NextDouble() * 0.05);
            var run = RunStudy(killed, new KillPoint(lines, delay));
            reachedCells |= !double.IsNaN(run.FirstLineSeconds);
            var cells = FinishedCells(killed);
            log.Add(string.Create(CultureInfo.InvariantCulture, $"kill {k + 1} {delay.TotalSeconds:F2} s after progress line {lines}: {(run.ExitCode == 0 ? "finished before the kill" : "killed")}, {cells.Count} cells finished"));
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
        Assert.True(kills >= 3, $"only {kills} runs were killed before the study finished");

        var rerun = RunStudy(killed, kill: null);
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first progress line of an uninterrupted run after {full.FirstLineSeconds:F1} s; {finishedAt.Count} cells finished before the final rerun"));

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

    private sealed record Run(int ExitCode, string StdErr, double FirstLineSeconds);

    // Kill the study `Delay` after it has printed `Lines` progress lines.
    private sealed record KillPoint(int Lines, TimeSpan Delay);

    // A small study: VGG-16 at 1/8 width, 512 training and 32 test images, one baseline epoch, one
    // retraining epoch, two methods at two ratios, no profiling.
    private static Run RunStudy(string outDir, KillPoint? kill)
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

        var clock = Stopwatch.StartNew();
        var firstLine = double.NaN;
        var progress = new SemaphoreSlim(0);
        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = psi };
        // Progress lines go to standard error.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (stderr)
            {
                stderr.AppendLine(line);
            }

            if (line.EndsWith(": profile", StringComparison.Ordinal) || line.EndsWith(": done", StringComparison.Ordinal))
            {
                if (double.IsNaN(firstLine))
                {
                    firstLine = clock.Elapsed.TotalSeconds;
                }

                progress.Release();
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // A guard against a hung child, not a time limit: a shared 2-core machine under load runs this small study for minutes.
        var deadline = TimeSpan.FromMinutes(20);
        if (kill is not null)
        {
            for (var seen = 0; seen < kill.Lines && !process.HasExited;)
            {
                seen += progress.Wait(TimeSpan.FromMilliseconds(50)) ? 1 : 0;
            }

            deadline = kill.Delay;
        }

        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            if (kill is null)
            {
                throw new TimeoutException("xlaprune study did not finish in 20 minutes");
            }
        }

        process.WaitForExit(); // drains the redirected output
        _ = stdout.Result;
        lock (stderr)
        {
            return new Run(process.ExitCode, stderr.ToString(), firstLine);
        }
    }

    // The xlaprune built beside this test assembly: artifacts/bin/XlaPrune.Cli/<configuration>/xlaprune.dll.
    internal static string CliDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(here.Parent!.Parent!.FullName, "XlaPrune.Cli", here.Name, "xlaprune.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build src/XlaPrune.Cli first.");
    }
}
