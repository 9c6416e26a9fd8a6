using System.Globalization;

namespace XlaPrune.Study;

/// <summary>What the data say about a claim.</summary>
public enum Verdict
{
    /// <summary>The 95 % interval backs the claim.</summary>
    Supported,

    /// <summary>The 95 % interval contradicts the claim.</summary>
    NotSupported,

    /// <summary>The interval allows both, or the study lacks the cells to decide.</summary>
    Inconclusive,
}

/// <summary>A claim of the paper, the verdict computed from the cells, and the numbers behind it.</summary>
/// <param name="Id">C1 … C5.</param>
/// <param name="Claim">The claim in one sentence.</param>
/// <param name="Verdict">Computed verdict.</param>
/// <param name="Evidence">The numbers the verdict rests on.</param>
public sealed record ClaimVerdict(string Id, string Claim, Verdict Verdict, string Evidence);

/// <summary>
/// The paper's five claims judged from the cells (never written by hand). Ratio 0 of every method is
/// the seed's shared original model; the x of every comparison is the achieved ratio.
/// </summary>
public static class Verdicts
{
    /// <summary>C1 asks for "about 30 %": achieved ratios from this value up count.</summary>
    public const double C1MinRatio = 0.25;

    private static readonly CultureInfo s_ic = CultureInfo.InvariantCulture;

    /// <summary>
    /// A baseline must close at least this share of the gap between chance and perfect accuracy before
    /// "no loss" (C1) or "the loss steepens" (C4) means anything: a model at chance loses nothing when pruned.
    /// </summary>
    public const double LearnedShare = 0.5;

    /// <summary>
    /// All five verdicts. The method the single-method claims (C1, C4, C5) are judged on is <paramref name="primary"/>,
    /// or the first of slimming-reload, any reload method, any method. <paramref name="chance"/> is the accuracy of
    /// guessing (1 / classes); C1 and C4 are inconclusive while the baseline stays near it (0: not checked).
    /// </summary>
    public static IReadOnlyList<ClaimVerdict> All(IReadOnlyList<CellResult> cells, double chance = 0, string? primary = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var methods = Summaries.Methods(cells);
        primary ??= methods.Contains("slimming-reload") ? "slimming-reload" : methods.FirstOrDefault(m => m.EndsWith("-reload", StringComparison.Ordinal)) ?? (methods.Count > 0 ? methods[0] : "");
        var c2 = methods.Contains("slimming-reload") && methods.Contains("slimming-scratch") ? ("slimming-reload", "slimming-scratch") : ("l1-reload", "l1-scratch");
        var c3 = methods.Contains("slimming-reload") && methods.Contains("l1-reload") ? ("slimming-reload", "l1-reload") : ("slimming-scratch", "l1-scratch");
        return
        [
            LosslessRatio(cells, primary, chance),
            Paired(cells, "C2", "Reloading the surviving weights beats training the pruned network from scratch.", c2.Item1, c2.Item2),
            Paired(cells, "C3", "BN-scale importance (Network Slimming) beats filter L1 (Li et al.).", c3.Item1, c3.Item2),
            Steepening(cells, primary, chance),
            SublinearSavings(cells, primary),
        ];
    }

    /// <summary>C1: the largest achieved ratio whose accuracy interval reaches the baseline's (overlaps it or lies above).</summary>
    public static ClaimVerdict LosslessRatio(IReadOnlyList<CellResult> cells, string method, double chance = 0)
    {
        const string Claim = "VGG-16 prunes about 30 % of its channels with no accuracy loss.";
        var table = Summaries.BySeed(cells, method);
        if (!table.TryGetValue(0, out var baseCells) || table.Count < 2)
        {
            return new("C1", Claim, Verdict.Inconclusive, $"{method}: the study needs ratio 0 and at least one pruned ratio");
        }

        var baseline = Statistics.Interval([.. baseCells.Values.Select(c => c.Accuracy)]);
        if (!baseline.HasInterval)
        {
            return new("C1", Claim, Verdict.Inconclusive, $"{method}: one seed gives no interval (baseline {baseline.Format()})");
        }

        if (NearChance(baseCells.Values, chance) is { } tooWeak)
        {
            return new("C1", Claim, Verdict.Inconclusive, $"{method}: {tooWeak}");
        }

        var points = table.Where(kv => kv.Key > 0).Select(kv => (
            Achieved: kv.Value.Values.Average(c => c.AchievedRatio),
            Accuracy: Statistics.Interval([.. kv.Value.Values.Select(c => c.Accuracy)]))).ToList();
        var lossless = points.Where(p => Statistics.ReachesUpTo(p.Accuracy, baseline)).ToList();
        var largest = lossless.Count == 0 ? 0 : lossless.Max(p => p.Achieved);
        var list = string.Join("; ", points.Select(p => $"{Pct(p.Achieved)}: {p.Accuracy.Format()}{(Statistics.ReachesUpTo(p.Accuracy, baseline) ? " (reaches it)" : " (below)")}"));
        var evidence = $"{method}: baseline accuracy {baseline.Format()}; largest achieved ratio whose interval reaches the baseline's: {Pct(largest)} (needs ≥ {Pct(C1MinRatio)}); {list}";
        var verdict = largest >= C1MinRatio ? Verdict.Supported
            : points.Any(p => p.Achieved >= C1MinRatio) ? Verdict.NotSupported
            : Verdict.Inconclusive;
        return new("C1", Claim, verdict, evidence);
    }

    /// <summary>
    /// C2/C3: per seed, the mean over pruned ratios of accuracy(<paramref name="better"/>) − accuracy(<paramref name="worse"/>);
    /// the claim holds when the t interval of those per-seed differences lies above 0, fails when below.
    /// </summary>
    public static ClaimVerdict Paired(IReadOnlyList<CellResult> cells, string id, string claim, string better, string worse)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var a = Summaries.BySeed(cells, better);
        var b = Summaries.BySeed(cells, worse);
        var ratios = a.Keys.Intersect(b.Keys).Where(r => r > 0).Order().ToList();
        var seeds = ratios.Count == 0 ? [] : ratios.Select(r => a[r].Keys.Intersect(b[r].Keys)).Aggregate((x, y) => x.Intersect(y)).Order().ToList();
        if (ratios.Count == 0 || seeds.Count == 0)
        {
            return new(id, claim, Verdict.Inconclusive, $"the study needs {better} and {worse} at the same pruned ratios and seeds");
        }

        double Diff(double r, int s) => a[r][s].Accuracy - b[r][s].Accuracy;
        var overall = Statistics.Interval([.. seeds.Select(s => ratios.Average(r => Diff(r, s)))]);
        var perRatio = string.Join("; ", ratios.Select(r => $"{r.ToString("F2", s_ic)}: {Signed(Statistics.Interval([.. seeds.Select(s => Diff(r, s))]))}"));
        var evidence = $"accuracy {better} − {worse}, paired by seed ({seeds.Count} seeds), mean over pruned ratios: {Signed(overall)}; per requested ratio: {perRatio}";
        return new(id, claim, ByInterval(overall, seeds.Count), evidence);
    }

    /// <summary>
    /// C4: per seed, the mean second divided difference of accuracy along the achieved ratio (ratio 0 included);
    /// a steepening loss makes it negative. Holds when its t interval lies below 0, fails when above.
    /// </summary>
    public static ClaimVerdict Steepening(IReadOnlyList<CellResult> cells, string method, double chance = 0)
    {
        const string Claim = "The accuracy loss steepens as the pruned ratio grows.";
        var table = Summaries.BySeed(cells, method);
        var seeds = CommonSeeds(table);
        if (table.Count < 3 || seeds.Count == 0)
        {
            return new("C4", Claim, Verdict.Inconclusive, $"{method}: second differences need at least three ratios (0 included) for the same seeds");
        }

        if (NearChance(table[0].Values, chance) is { } tooWeak)
        {
            return new("C4", Claim, Verdict.Inconclusive, $"{method}: {tooWeak}");
        }

        var perSeed = new List<double[]>();
        foreach (var s in seeds)
        {
            var xs = table.Values.Select(v => v[s].AchievedRatio).ToList();
            var ys = table.Values.Select(v => v[s].Accuracy).ToList();
            try
            {
                perSeed.Add(Statistics.SecondDifferences(xs, ys));
            }
            catch (ArgumentException)
            {
                return new("C4", Claim, Verdict.Inconclusive, $"{method}, seed {s}: achieved ratios are not strictly increasing ({string.Join(", ", xs.Select(x => Pct(x)))})");
            }
        }

        var overall = Statistics.Interval([.. perSeed.Select(d => d.Average())]);
        var points = string.Join("; ", table.Keys.Skip(1).SkipLast(1).Select((r, i) => $"at {r.ToString("F2", s_ic)}: {Signed(Statistics.Interval([.. perSeed.Select(d => d[i])]), "F3")}"));
        var evidence = $"{method}: mean second difference of accuracy per unit ratio² ({seeds.Count} seeds): {Signed(overall, "F3")} (negative = the loss steepens); per interior requested ratio: {points}";
        return new("C4", Claim, ByInterval(Negate(overall), seeds.Count), evidence);
    }

    /// <summary>
    /// C5: memory and step time, relative to the seed's original model, fall at the largest ratio (interval
    /// below 1) but differ from the ratio line 1 − achieved ratio (per-seed mean deviation, interval excluding 0).
    /// Measured plugin numbers are used when present, otherwise the modelled bytes (and the step-time part is inconclusive).
    /// </summary>
    public static ClaimVerdict SublinearSavings(IReadOnlyList<CellResult> cells, string method)
    {
        const string Claim = "Memory and step time fall with the pruned ratio, but not linearly.";
        ArgumentNullException.ThrowIfNull(cells);
        var mine = cells.Where(c => c.Method == method).ToList();
        var memory = mine.Count > 0 && mine.All(c => c.CompiledMemory is not null)
            ? ("compiled peak memory (measured on the plugin)", (Func<CellResult, double>)(c => c.CompiledMemory!.PeakBytes))
            : ("logical train-step bytes (modelled)", c => c.LogicalBytes);
        var parts = new List<(Verdict Verdict, string Text)> { Savings(cells, method, memory.Item1, memory.Item2) };
        parts.Add(mine.Count > 0 && mine.All(c => c.StepMs is not null)
            ? Savings(cells, method, "median step time (measured on the plugin)", c => c.StepMs!.Median)
            : (Verdict.Inconclusive, "step time: not measured"));
        var verdict = parts.All(p => p.Verdict == Verdict.Supported) ? Verdict.Supported
            : parts.Any(p => p.Verdict == Verdict.NotSupported) ? Verdict.NotSupported
            : Verdict.Inconclusive;
        return new("C5", Claim, verdict, $"{method}: " + string.Join("; ", parts.Select(p => p.Text)));
    }

    private static (Verdict, string) Savings(IReadOnlyList<CellResult> cells, string method, string name, Func<CellResult, double> value)
    {
        var table = Summaries.BySeed(cells, method);
        var pruned = table.Keys.Where(r => r > 0).ToList();
        if (!table.TryGetValue(0, out var baseCells) || pruned.Count == 0)
        {
            return (Verdict.Inconclusive, $"{name}: the study needs ratio 0 and a pruned ratio");
        }

        var seeds = CommonSeeds(table);
        double Rel(double r, int s) => value(table[r][s]) / value(baseCells[s]);
        var top = Statistics.Interval([.. seeds.Select(s => Rel(pruned[^1], s))]);
        var deviation = Statistics.Interval([.. seeds.Select(s => pruned.Average(r => Rel(r, s) - (1 - table[r][s].AchievedRatio)))]);
        var xs = new List<double> { 0 };
        var ys = new List<double> { 1 };
        xs.AddRange(pruned.Select(r => seeds.Average(s => table[r][s].AchievedRatio)));
        ys.AddRange(pruned.Select(r => seeds.Average(s => Rel(r, s))));
        var fit = Statistics.LinearFit(xs, ys);
        var falls = !top.HasInterval ? Verdict.Inconclusive : top.High < 1 ? Verdict.Supported : top.Low >= 1 ? Verdict.NotSupported : Verdict.Inconclusive;
        var bent = deviation.HasInterval && (deviation.Low > 0 || deviation.High < 0);
        var verdict = falls == Verdict.Supported ? (bent ? Verdict.Supported : Verdict.Inconclusive) : falls;
        var text = $"{name}: at {Pct(xs[^1])} removed it is {top.Format("F3")} of the original; mean deviation from the ratio line 1 − ratio {Signed(deviation, "F3")} " +
            $"({(deviation.Mean > 0 ? "saves less than the ratio" : "saves more than the ratio")}); linear fit {fit.Intercept.ToString("F3", s_ic)} {(fit.Slope < 0 ? "−" : "+")} {Math.Abs(fit.Slope).ToString("F3", s_ic)}·ratio, largest residual {fit.MaxResidual.ToString("F3", s_ic)}";
        return (verdict, text);
    }

    // Why a baseline is too close to chance to judge accuracy claims, or null when it has learned enough
    // (or when the chance level is not given: 0).
    private static string? NearChance(IEnumerable<CellResult> baseline, double chance)
    {
        if (chance <= 0)
        {
            return null;
        }

        var mean = baseline.Average(c => c.Accuracy);
        var needed = chance + LearnedShare * (1 - chance);
        return mean >= needed ? null
            : $"baseline accuracy {mean.ToString("F4", s_ic)} is too close to chance ({chance.ToString("F4", s_ic)}): accuracy claims need a baseline of at least {needed.ToString("F4", s_ic)}";
    }

    // Seeds present at every ratio of a method.
    private static List<int> CommonSeeds(SortedDictionary<double, SortedDictionary<int, CellResult>> table) =>
        table.Count == 0 ? [] : [.. table.Values.Select(v => (IEnumerable<int>)v.Keys).Aggregate((x, y) => x.Intersect(y)).Order()];

    private static Verdict ByInterval(MeanInterval difference, int seeds) =>
        seeds < 2 ? Verdict.Inconclusive
        : difference.ExcludesZeroAbove ? Verdict.Supported
        : difference.ExcludesZeroBelow ? Verdict.NotSupported
        : Verdict.Inconclusive;

    private static MeanInterval Negate(MeanInterval m) => m with { Mean = -m.Mean };

    private static string Signed(MeanInterval m, string format = "F4") => (m.Mean >= 0 ? "+" : "") + m.Format(format) + (m.HasInterval ? "" : " (one seed: no interval)");

    private static string Pct(double fraction) => (fraction * 100).ToString("F1", s_ic) + " %";

    /// <summary>The verdict as the report prints it.</summary>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Supported => "supported",
        Verdict.NotSupported => "not supported",
        _ => "inconclusive",
    };
}
