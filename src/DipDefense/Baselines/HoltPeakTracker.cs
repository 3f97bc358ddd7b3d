namespace DipDefense.Baselines;

/// <summary>
/// Holt's double exponential smoothing of a series fed one value at a time, tracking the running maximum of the
/// smoothed level (<see cref="HoltSmoothing"/> states the recurrence).
/// </summary>
internal sealed class HoltPeakTracker(double lambda)
{
    private int count;
    private double level;
    private double trend;
    private double best;

    /// <summary>s_t, the smoothed level after the last value added.</summary>
    public double Level => level;

    /// <summary>Adds p_t; returns whether s_t exceeds every earlier s (always for t = 0).</summary>
    public bool Add(double value)
    {
        if (count == 0)
        {
            level = best = value;
            count = 1;
            return true;
        }
        if (count == 1)
            trend = value - level; // b_0 = p_1 − p_0 (the level is still s_0 = p_0)
        count++;
        double previous = level;
        level = lambda * value + (1 - lambda) * (previous + trend);
        trend = lambda * (level - previous) + (1 - lambda) * trend;
        if (!(level > best))
            return false;
        best = level;
        return true;
    }
}
