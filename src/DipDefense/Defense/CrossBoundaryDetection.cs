namespace DipDefense.Defense;

/// <summary>
/// The index logic of the decision space (docs/method.md, steps 3–4): which adjacent snapshots cross a
/// decision boundary (Eq. 3), which of them are kept, and where along a pair the label flips (Eq. 5).
/// </summary>
public static class CrossBoundaryDetection
{
    /// <summary>
    /// The cross-boundary indices of a trace (Eq. 3): every i in [0, M − 2] with i ≥ <paramref name="warmUp"/>,
    /// <paramref name="ssim"/>[i] ≥ <paramref name="threshold"/> and <paramref name="labels"/>[i] ≠
    /// <paramref name="labels"/>[i + 1], ascending; with <paramref name="stableRun"/> k &gt; 1, only those whose
    /// label y_i was also the label of the k − 1 snapshots before i (see <see cref="PurifierOptions.StableRun"/>).
    /// </summary>
    /// <param name="labels">y_i, the victim's label of each snapshot (M values).</param>
    /// <param name="ssim">q_i, each snapshot's SSIM to the input (M values).</param>
    /// <param name="threshold">τ.</param>
    /// <param name="warmUp">w, in snapshots; ≥ 0.</param>
    /// <param name="stableRun">k, the snapshots that must share the label left at a crossing; 1 (the paper's Eq. 3) or more.</param>
    /// <returns>The indices i of the pairs (i, i + 1).</returns>
    /// <exception cref="ArgumentException">The lists differ in length, <paramref name="warmUp"/> is negative or <paramref name="stableRun"/> is below 1.</exception>
    public static int[] Detect(IReadOnlyList<long> labels, IReadOnlyList<double> ssim, double threshold, int warmUp, int stableRun = 1)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(ssim);
        ArgumentOutOfRangeException.ThrowIfNegative(warmUp);
        ArgumentOutOfRangeException.ThrowIfLessThan(stableRun, 1);
        if (labels.Count != ssim.Count)
            throw new ArgumentException($"ssim must have one value per label ({labels.Count}); got {ssim.Count}.", nameof(ssim));

        var crossings = new List<int>();
        for (int i = warmUp; i < labels.Count - 1; i++)
            if (ssim[i] >= threshold && labels[i] != labels[i + 1] && HeldFor(labels, i, stableRun))
                crossings.Add(i);
        return [.. crossings];
    }

    /// <summary>Whether the snapshots i − k + 1 … i all have the label of snapshot i (false when the trace starts later).</summary>
    private static bool HeldFor(IReadOnlyList<long> labels, int i, int k)
    {
        if (i - k + 1 < 0)
            return false;
        for (int j = i - k + 1; j < i; j++)
            if (labels[j] != labels[i])
                return false;
        return true;
    }

    /// <summary>
    /// The lock-in index of a trace: the first i from which every label equals the last one (0 for a constant trace).
    /// </summary>
    /// <param name="labels">y_i, M ≥ 1 values.</param>
    public static int LockIn(IReadOnlyList<long> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
            throw new ArgumentException("labels must hold at least one label.", nameof(labels));
        int i = labels.Count - 1;
        while (i > 0 && labels[i - 1] == labels[^1])
            i--;
        return i;
    }

    /// <summary>The last <paramref name="count"/> entries of <paramref name="crossings"/> (all of them when fewer).</summary>
    /// <param name="crossings">Cross-boundary indices, ascending.</param>
    /// <param name="count">N; ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static int[] LastPairs(IReadOnlyList<int> crossings, int count)
    {
        ArgumentNullException.ThrowIfNull(crossings);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int take = Math.Min(count, crossings.Count);
        return [.. crossings.Skip(crossings.Count - take)];
    }

    /// <summary>
    /// The grid step k* of Eq. 5: the first k in 1..G − 1 whose label <paramref name="gridLabels"/>[k − 1]
    /// differs from <paramref name="startLabel"/>; G when none does (λ = 1 is x_{i+1} itself, whose label is
    /// known to differ). λ* = k* / G.
    /// </summary>
    /// <param name="gridLabels">The labels at λ = 1/G, …, (G − 1)/G (G − 1 values).</param>
    /// <param name="startLabel">y_i.</param>
    public static int FirstFlip(ReadOnlySpan<long> gridLabels, long startLabel)
    {
        for (int k = 0; k < gridLabels.Length; k++)
            if (gridLabels[k] != startLabel)
                return k + 1;
        return gridLabels.Length + 1;
    }
}
