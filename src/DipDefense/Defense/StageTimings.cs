namespace DipDefense.Defense;

/// <summary>Wall-clock time spent in each stage of the purifier.</summary>
/// <param name="Trace">The DIP trace (step 1).</param>
/// <param name="DecisionMapping">Classifying the snapshots and their SSIM to the input (step 2).</param>
/// <param name="BoundarySearch">Cross-boundary detection and the on-boundary grid search (steps 3–4).</param>
/// <param name="Stitching">On-manifold push, stitching and the final classification (steps 5–6).</param>
public readonly record struct StageTimings(TimeSpan Trace, TimeSpan DecisionMapping, TimeSpan BoundarySearch, TimeSpan Stitching)
{
    /// <summary>The sum of the four stages.</summary>
    public TimeSpan Total => Trace + DecisionMapping + BoundarySearch + Stitching;

    /// <summary>Stage-wise sum.</summary>
    public static StageTimings operator +(StageTimings a, StageTimings b) =>
        new(a.Trace + b.Trace, a.DecisionMapping + b.DecisionMapping, a.BoundarySearch + b.BoundarySearch, a.Stitching + b.Stitching);

    /// <summary>Every stage divided by <paramref name="count"/> (a chunk's time shared evenly by its images).</summary>
    /// <param name="count">Positive divisor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public StageTimings DividedBy(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new(Trace / count, DecisionMapping / count, BoundarySearch / count, Stitching / count);
    }
}
