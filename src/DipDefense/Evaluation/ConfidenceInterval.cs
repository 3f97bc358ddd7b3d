namespace DipDefense.Evaluation;

/// <summary>Confidence intervals of the figures of an evaluation report.</summary>
public static class ConfidenceInterval
{
    /// <summary>z of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// The Wilson score interval of a proportion <paramref name="successes"/> / <paramref name="count"/> (Wilson 1927):
    /// unlike the normal approximation it stays inside [0, 1] and is sensible at 0 and at 1.
    /// </summary>
    /// <param name="successes">Successes, 0 ≤ successes ≤ count.</param>
    /// <param name="count">Trials; 0 gives (NaN, NaN).</param>
    /// <param name="z">The normal quantile (default 95%).</param>
    public static (double Low, double High) Wilson(int successes, int count, double z = Z95)
    {
        if (count < 0 || successes < 0 || successes > count)
            throw new ArgumentOutOfRangeException(nameof(successes), $"need 0 ≤ successes ≤ count; got {successes} of {count}.");
        if (count == 0)
            return (double.NaN, double.NaN);
        double p = (double)successes / count, z2 = z * z;
        double centre = (p + z2 / (2 * count)) / (1 + z2 / count);
        double half = z / (1 + z2 / count) * Math.Sqrt(p * (1 - p) / count + z2 / (4.0 * count * count));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The normal-approximation interval of a mean: mean ± z·s/√n (NaN for fewer than two values).</summary>
    /// <param name="values">The sample.</param>
    /// <param name="z">The normal quantile (default 95%).</param>
    public static (double Low, double High) Mean(IReadOnlyCollection<double> values, double z = Z95)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2)
            return (double.NaN, double.NaN);
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        double half = z * sd / Math.Sqrt(values.Count);
        return (mean - half, mean + half);
    }
}
