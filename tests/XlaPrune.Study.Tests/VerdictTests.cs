namespace XlaPrune.Study.Tests;

/// <summary>The statistics and the five verdicts on synthetic cells whose answers were computed by hand.</summary>
public sealed class VerdictTests
{
    [Theory]
    [InlineData(1, 12.7062)]
    [InlineData(2, 4.3027)]
    [InlineData(4, 2.7764)]
    [InlineData(29, 2.0452)]
    public void T_quantiles_match_the_published_table(int degreesOfFreedom, double expected) =>
        Assert.Equal(expected, Statistics.TQuantile(degreesOfFreedom, 0.975), 4);

    [Fact]
    public void Interval_is_mean_plus_minus_t_times_standard_error()
    {
        // 1, 2, 3: mean 2, s = 1, standard error 1/√3, t(0.975, 2) = 4.302653 -> half width 2.484138.
        var m = Statistics.Interval([1, 2, 3]);

        Assert.Equal(2, m.Mean, 12);
        Assert.Equal(2.484138, m.HalfWidth, 5);
        Assert.Equal("2.0000 ± 2.4841", m.Format());
        Assert.False(Statistics.Interval([5]).HasInterval);
        Assert.Equal("5.0000", Statistics.Interval([5]).Format());
    }

    [Fact]
    public void Second_differences_recover_the_curvature_of_a_parabola_on_uneven_ratios()
    {
        // y = 1 − x²: y'' = −2 everywhere, whatever the spacing.
        double[] xs = [0, 0.3, 0.5, 0.9];
        var d = Statistics.SecondDifferences(xs, [.. xs.Select(x => 1 - (x * x))]);

        Assert.Equal([-2.0, -2.0], d.Select(v => Math.Round(v, 12)));
        Assert.Throws<ArgumentException>(() => Statistics.SecondDifferences([0, 0.5, 0.5], [1, 1, 1]));
    }

    [Fact]
    public void Linear_fit_gives_slope_intercept_and_largest_residual()
    {
        // (0,1), (0.5,0.5), (1,0.2): slope −0.4/0.5 = −0.8, intercept 0.5667 + 0.4 = 0.9667, residuals 0.033, −0.067, 0.033.
        var (intercept, slope, maxResidual) = Statistics.LinearFit([0, 0.5, 1], [1, 0.5, 0.2]);

        Assert.Equal(-0.8, slope, 12);
        Assert.Equal(0.966667, intercept, 5);
        Assert.Equal(0.066667, maxResidual, 5);
    }

    private static CellResult Cell(string method, double ratio, int seed, double accuracy, long bytes = 1000, double? stepMs = null) => new()
    {
        Method = method,
        Ratio = ratio,
        Seed = seed,
        AchievedRatio = ratio,
        ConvChannels = [1],
        Accuracy = accuracy,
        Params = 100,
        Flops = 100,
        LogicalBytes = bytes,
        TpuPaddedBytes = bytes,
        StepMs = stepMs is { } s ? new StepTimes(s, s, s) : null,
    };

    // Three seeds; accuracy[seed] per ratio.
    private static IEnumerable<CellResult> Method(string method, params (double Ratio, double[] Accuracy)[] points) =>
        points.SelectMany(p => p.Accuracy.Select((a, seed) => Cell(method, p.Ratio, seed, a)));

    [Fact]
    public void C1_is_the_largest_ratio_whose_interval_reaches_the_baseline()
    {
        // Baseline 0.90, 0.91, 0.92: 0.91 ± 0.024841, low end 0.885159. At 0.3 the high end is 0.924841 (reaches it);
        // at 0.5 it is 0.834841 (below).
        CellResult[] good = [.. Method("slimming-reload", (0, [0.90, 0.91, 0.92]), (0.3, [0.89, 0.90, 0.91]), (0.5, [0.80, 0.81, 0.82]))];
        CellResult[] bad = [.. Method("slimming-reload", (0, [0.90, 0.91, 0.92]), (0.3, [0.80, 0.81, 0.82]))];

        var v = Verdicts.LosslessRatio(good, "slimming-reload");

        Assert.Equal(Verdict.Supported, v.Verdict);
        Assert.Contains("baseline accuracy 0.9100 ± 0.0248; largest achieved ratio whose interval reaches the baseline's: 30.0 %", v.Evidence, StringComparison.Ordinal);
        Assert.Contains("50.0 %: 0.8100 ± 0.0248 (below)", v.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.NotSupported, Verdicts.LosslessRatio(bad, "slimming-reload").Verdict);
        Assert.Equal(Verdict.Inconclusive, Verdicts.LosslessRatio([.. good.Where(c => c.Seed == 0)], "slimming-reload").Verdict);
    }

    [Fact]
    public void C1_and_C4_are_inconclusive_while_the_baseline_sits_near_chance()
    {
        // Ten classes: chance 0.1, and a baseline must reach 0.1 + 0.5 · 0.9 = 0.55. A model at chance "loses nothing".
        CellResult[] chanceLevel = [.. Method("slimming-reload", (0, [0.10, 0.11, 0.09]), (0.3, [0.10, 0.10, 0.11]), (0.5, [0.09, 0.10, 0.10]))];
        CellResult[] learned = [.. Method("slimming-reload", (0, [0.90, 0.91, 0.92]), (0.3, [0.89, 0.90, 0.91]), (0.5, [0.80, 0.81, 0.82]))];

        var c1 = Verdicts.LosslessRatio(chanceLevel, "slimming-reload", chance: 0.1);
        var c4 = Verdicts.Steepening(chanceLevel, "slimming-reload", chance: 0.1);

        Assert.Equal(Verdict.Supported, Verdicts.LosslessRatio(chanceLevel, "slimming-reload").Verdict); // what the gate prevents
        Assert.Equal(Verdict.Inconclusive, c1.Verdict);
        Assert.Equal("slimming-reload: baseline accuracy 0.1000 is too close to chance (0.1000): accuracy claims need a baseline of at least 0.5500", c1.Evidence);
        Assert.Equal(Verdict.Inconclusive, c4.Verdict);
        Assert.StartsWith("slimming-reload: baseline accuracy 0.1000 is too close to chance", c4.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.Supported, Verdicts.LosslessRatio(learned, "slimming-reload", chance: 0.1).Verdict);
        Assert.Equal(Verdict.Supported, Verdicts.All(learned, chance: 0.1)[0].Verdict);
    }

    [Fact]
    public void C2_tests_the_per_seed_mean_of_paired_differences()
    {
        // Differences at 0.5: 0.02, 0.03, 0.02; at 0.7: 0.04, 0.01, 0.02. Per-seed means 0.03, 0.02, 0.02:
        // mean 0.023333, s = 0.0057735, half width 4.302653 · 0.0057735/√3 = 0.014342.
        CellResult[] cells =
        [
            .. Method("slimming-reload", (0, [0.9, 0.9, 0.9]), (0.5, [0.90, 0.91, 0.92]), (0.7, [0.85, 0.84, 0.85])),
            .. Method("slimming-scratch", (0, [0.9, 0.9, 0.9]), (0.5, [0.88, 0.88, 0.90]), (0.7, [0.81, 0.83, 0.83])),
        ];

        var v = Verdicts.Paired(cells, "C2", "claim", "slimming-reload", "slimming-scratch");
        var reversed = Verdicts.Paired(cells, "C2", "claim", "slimming-scratch", "slimming-reload");

        Assert.Equal(Verdict.Supported, v.Verdict);
        Assert.Contains("mean over pruned ratios: +0.0233 ± 0.0143", v.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.NotSupported, reversed.Verdict);
        Assert.Contains("mean over pruned ratios: -0.0233 ± 0.0143", reversed.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void C2_is_inconclusive_when_the_interval_straddles_zero_or_a_method_is_missing()
    {
        // slimming − l1: −0.02, 0.01, 0.00: mean −0.0033, s = 0.015275, half width 4.302653 · 0.015275/√3 = 0.037946.
        CellResult[] cells =
        [
            .. Method("l1-reload", (0, [0.9, 0.9, 0.9]), (0.5, [0.90, 0.88, 0.89])),
            .. Method("slimming-reload", (0, [0.9, 0.9, 0.9]), (0.5, [0.88, 0.89, 0.89])),
        ];

        var c3 = Verdicts.All(cells)[2];

        Assert.Equal("C3", c3.Id);
        Assert.Equal(Verdict.Inconclusive, c3.Verdict);
        Assert.Contains("accuracy slimming-reload − l1-reload, paired by seed (3 seeds), mean over pruned ratios: -0.0033 ± 0.0379", c3.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.Inconclusive, Verdicts.All(cells)[1].Verdict); // no scratch method at all
    }

    [Fact]
    public void C4_reads_steepening_from_negative_second_differences()
    {
        // Seed s: accuracy 0.9 − c·x² with c = 0.4, 0.5, 0.6: second differences −0.8, −1.0, −1.2;
        // mean −1.0, s = 0.2, half width 4.302653 · 0.2/√3 = 0.496828.
        double[] xs = [0, 0.3, 0.5, 0.7, 0.9];
        double[] cs = [0.4, 0.5, 0.6];
        CellResult[] steep = [.. xs.SelectMany(x => cs.Select((c, seed) => Cell("slimming-reload", x, seed, 0.9 - (c * x * x))))];
        CellResult[] flattening = [.. xs.SelectMany(x => cs.Select((c, seed) => Cell("slimming-reload", x, seed, 0.9 - x + (c * x * x))))];
        // A straight line (binary fractions, so the differences are exactly 0): no interval away from 0.
        CellResult[] straight = [.. new[] { 0, 0.25, 0.5, 0.75 }.SelectMany(x => new[] { 0.5, 0.25, 0.75 }.Select((c, seed) => Cell("slimming-reload", x, seed, 1 - (c * x))))];

        var v = Verdicts.Steepening(steep, "slimming-reload");

        Assert.Equal(Verdict.Supported, v.Verdict);
        Assert.Contains("mean second difference of accuracy per unit ratio² (3 seeds): -1.000 ± 0.497", v.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.NotSupported, Verdicts.Steepening(flattening, "slimming-reload").Verdict);
        Assert.Equal(Verdict.Inconclusive, Verdicts.Steepening(straight, "slimming-reload").Verdict);
    }

    [Fact]
    public void C5_needs_memory_and_time_to_fall_off_the_ratio_line()
    {
        // Bytes 1000 → 750 → 550 at ratios 0.5 and 0.9: relative 0.75 and 0.55, deviations from 1 − ratio
        // 0.25 and 0.45 (mean 0.35). Step time 10 → 8 → 7 ms (seed s adds s·0.1 ms at every ratio).
        IEnumerable<CellResult> Cells(long top) =>
            from seed in Enumerable.Range(0, 3)
            from p in new (double Ratio, long Bytes, double Ms)[] { (0.0, 1000L, 10.0), (0.5, 750L, 8.0), (0.9, top, 7.0) }
            select Cell("slimming-reload", p.Ratio, seed, 0.9, p.Bytes, p.Ms + (seed * 0.1));

        var v = Verdicts.SublinearSavings([.. Cells(550)], "slimming-reload");
        var flat = Verdicts.SublinearSavings([.. Cells(1000).Select(c => c with { StepMs = new StepTimes(10, 10, 10) })], "slimming-reload");
        var untimed = Verdicts.SublinearSavings([.. Cells(550).Select(c => c with { StepMs = null })], "slimming-reload");

        Assert.Equal(Verdict.Supported, v.Verdict);
        Assert.Contains("logical train-step bytes (modelled): at 90.0 % removed it is 0.550 ± 0.000 of the original; mean deviation from the ratio line 1 − ratio +0.350 ± 0.000", v.Evidence, StringComparison.Ordinal);
        Assert.Contains("median step time (measured on the plugin)", v.Evidence, StringComparison.Ordinal);
        Assert.Equal(Verdict.NotSupported, flat.Verdict);
        Assert.Equal(Verdict.Inconclusive, untimed.Verdict);
        Assert.Contains("step time: not measured", untimed.Evidence, StringComparison.Ordinal);
    }
}
