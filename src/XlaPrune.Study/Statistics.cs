using MathNet.Numerics.Distributions;

namespace XlaPrune.Study;

/// <summary>A sample mean with its two-sided Student-t confidence interval.</summary>
/// <param name="Mean">Sample mean.</param>
/// <param name="HalfWidth">t quantile × standard error; NaN with fewer than two values (no interval).</param>
/// <param name="Count">Number of values.</param>
public sealed record MeanInterval(double Mean, double HalfWidth, int Count)
{
    /// <summary>Lower end (NaN without an interval).</summary>
    public double Low => Mean - HalfWidth;

    /// <summary>Upper end (NaN without an interval).</summary>
    public double High => Mean + HalfWidth;

    /// <summary>True when there are at least two values, so the interval exists.</summary>
    public bool HasInterval => Count >= 2 && !double.IsNaN(HalfWidth);

    /// <summary>True when the interval lies entirely above zero.</summary>
    public bool ExcludesZeroAbove => HasInterval && Low > 0;

    /// <summary>True when the interval lies entirely below zero.</summary>
    public bool ExcludesZeroBelow => HasInterval && High < 0;

    /// <summary>e.g. <c>0.9012 ± 0.0040</c>, or the mean alone without an interval.</summary>
    public string Format(string format = "F4") =>
        HasInterval
            ? $"{Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {HalfWidth.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"
            : Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Means, t intervals and the small fits the verdicts need.</summary>
public static class Statistics
{
    /// <summary>Confidence level of every interval in the study.</summary>
    public const double Level = 0.95;

    /// <summary>The <paramref name="p"/>-quantile of Student's t with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    public static double TQuantile(int degreesOfFreedom, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return StudentT.InvCDF(0, 1, degreesOfFreedom, p);
    }

    /// <summary>Mean and 95 % t interval of <paramref name="values"/> (sample standard deviation, n − 1 degrees of freedom).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static MeanInterval Interval(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("no values to summarise");
        }

        var n = values.Count;
        var mean = values.Average();
        if (n < 2)
        {
            return new MeanInterval(mean, double.NaN, n);
        }

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var half = TQuantile(n - 1, 0.5 + (Level / 2)) * Math.Sqrt(variance / n);
        return new MeanInterval(mean, half, n);
    }

    /// <summary>True when two intervals share a point, or the first lies above the second.</summary>
    public static bool ReachesUpTo(MeanInterval candidate, MeanInterval reference)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        return candidate.High >= reference.Low;
    }

    /// <summary>Least-squares line y = intercept + slope·x, and the largest absolute residual.</summary>
    /// <exception cref="ArgumentException">Fewer than two points or all x equal.</exception>
    public static (double Intercept, double Slope, double MaxResidual) LinearFit(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count || xs.Count < 2)
        {
            throw new ArgumentException("a linear fit needs at least two points with one y per x");
        }

        var mx = xs.Average();
        var my = ys.Average();
        var sxx = xs.Sum(x => (x - mx) * (x - mx));
        if (sxx == 0)
        {
            throw new ArgumentException("a linear fit needs two different x values");
        }

        var slope = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / sxx;
        var intercept = my - (slope * mx);
        var maxResidual = xs.Zip(ys, (x, y) => Math.Abs(y - (intercept + (slope * x)))).Max();
        return (intercept, slope, maxResidual);
    }

    /// <summary>
    /// Second divided differences of y along x at every interior point:
    /// 2·((y₂−y₁)/(x₂−x₁) − (y₁−y₀)/(x₁−x₀))/(x₂−x₀), an estimate of y'' that allows uneven spacing.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than three points, or x not strictly increasing.</exception>
    public static double[] SecondDifferences(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count || xs.Count < 3)
        {
            throw new ArgumentException("second differences need at least three points with one y per x");
        }

        var result = new double[xs.Count - 2];
        for (var i = 1; i < xs.Count - 1; i++)
        {
            if (!(xs[i] > xs[i - 1] && xs[i + 1] > xs[i]))
            {
                throw new ArgumentException("second differences need strictly increasing x");
            }

            var left = (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1]);
            var right = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
            result[i - 1] = 2 * (right - left) / (xs[i + 1] - xs[i - 1]);
        }

        return result;
    }
}
