namespace DipDefense.Baselines;

/// <summary>
/// The stopping rule of DIPDefend (Dai et al., ACM MM 2020): Holt's double exponential smoothing of the per-iteration
/// PSNR series and the last iteration at which the smoothed curve reached a new maximum.
/// </summary>
/// <remarks>
/// With factor λ: s_0 = p_0, b_0 = p_1 − p_0, s_t = λ·p_t + (1 − λ)(s_{t−1} + b_{t−1}),
/// b_t = λ(s_t − s_{t−1}) + (1 − λ)·b_{t−1}. The peak is the last t at which s_t exceeds every earlier s (t = 0
/// counts, trivially, so a series whose smoothed curve never rises peaks at 0; the reference code starts comparing at
/// t = 2, which selects the same t whenever the curve rises after t = 1, as a DIP fit's does).
/// </remarks>
public static class HoltSmoothing
{
    /// <summary>The smoothed levels s_0 … s_{T−1} of <paramref name="series"/>.</summary>
    /// <param name="series">p_0 … p_{T−1}, at least one value.</param>
    /// <param name="lambda">Smoothing factor λ in (0, 1].</param>
    /// <exception cref="ArgumentException">The series is empty or λ is out of range.</exception>
    public static double[] Smooth(IReadOnlyList<double> series, double lambda)
    {
        var tracker = Tracker(series, lambda);
        var levels = new double[series.Count];
        for (int t = 0; t < series.Count; t++)
        {
            tracker.Add(series[t]);
            levels[t] = tracker.Level;
        }
        return levels;
    }

    /// <summary>The last index t at which s_t exceeds every earlier smoothed level (0 when none does).</summary>
    /// <param name="series">p_0 … p_{T−1}, at least one value.</param>
    /// <param name="lambda">Smoothing factor λ in (0, 1].</param>
    /// <exception cref="ArgumentException">The series is empty or λ is out of range.</exception>
    public static int PeakIndex(IReadOnlyList<double> series, double lambda)
    {
        var tracker = Tracker(series, lambda);
        int peak = 0;
        for (int t = 0; t < series.Count; t++)
            if (tracker.Add(series[t]))
                peak = t;
        return peak;
    }

    private static HoltPeakTracker Tracker(IReadOnlyList<double> series, double lambda)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("series must hold at least one value.", nameof(series));
        if (!(lambda > 0 && lambda <= 1))
            throw new ArgumentException($"lambda must lie in (0, 1]; got {lambda}.", nameof(lambda));
        return new HoltPeakTracker(lambda);
    }
}
