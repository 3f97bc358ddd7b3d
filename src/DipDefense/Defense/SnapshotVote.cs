namespace DipDefense.Defense;

/// <summary>
/// The two decisions of <see cref="PurifierSelection.Vote"/> (docs/method.md, "Selection modes"; beyond the paper): whether a
/// trace marks its input as adversarial, and, for one that does, which class the later snapshots vote for and which snapshot
/// shows it best.
/// </summary>
/// <remarks>
/// An adversarial input's label y′ is wrong by construction, so the vote leaves y′ out: it is the class k ≠ y′ with the
/// largest probability p_k(x_i) summed over the snapshots i ≥ w. (An input on which the victim's margin is small may let
/// y′ vote with a weight: <see cref="PurifierOptions.AmbiguousMargin"/>, on by default with its fit condition <see cref="PurifierOptions.AmbiguousFit"/>.) Summed probabilities count a class that is the runner-up
/// in many snapshots, so the vote can name the true class of a trace whose labels never show it.
/// </remarks>
public static class SnapshotVote
{
    /// <summary>
    /// Whether the trace marks its input as adversarial: the last snapshot's label differs from the input's label y′ (the
    /// fit does not reproduce y′); or the last snapshot's SSIM to the input, the final fit f, is below φ_p (the fit does not
    /// reproduce the input); or some snapshot from w on is not labelled y′, y′'s gate support is below θ and f is below φ_l.
    /// </summary>
    /// <param name="labels">y_i, the M snapshot labels, earliest first.</param>
    /// <param name="inputLabel">y′, the victim's label of the input.</param>
    /// <param name="warmUp">w: snapshots before it are not looked at.</param>
    /// <param name="support">The mean of p_{y′}(x_i) over the gate window.</param>
    /// <param name="threshold">θ: an input whose support reaches it is not marked by a late label change.</param>
    /// <param name="finalFit">f, the SSIM of the last snapshot to the input.</param>
    /// <param name="poorFit">φ_p: an input with f below it is marked (0: never).</param>
    /// <param name="lateChangeFit">φ_l: a late label change marks an input only when f is below it (1: always).</param>
    /// <exception cref="ArgumentException"><paramref name="labels"/> is empty or <paramref name="warmUp"/> is not an index into it.</exception>
    public static bool MarksAdversarial(IReadOnlyList<long> labels, long inputLabel, int warmUp, double support, double threshold,
        double finalFit, double poorFit = PurifierOptions.PoorFitOff, double lateChangeFit = PurifierOptions.LateChangeFitOff)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
            throw new ArgumentException("labels must hold at least one label.", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfNegative(warmUp);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmUp, labels.Count);
        if (labels[^1] != inputLabel || finalFit < poorFit)
            return true;
        bool lateChangeCounts = lateChangeFit >= PurifierOptions.LateChangeFitOff || finalFit < lateChangeFit;
        if (support >= threshold || !lateChangeCounts)
            return false;
        for (int i = warmUp; i < labels.Count; i++)
            if (labels[i] != inputLabel)
                return true;
        return false;
    }

    /// <summary>
    /// The voted class c = argmax over k ≠ y′ of Σ_{i ≥ w} p_k(x_i), and the snapshot i ≥ w with the largest p_c(x_i) (the
    /// earliest on ties), which is the output. With an own-label weight λ &gt; 0 (an ambiguous input,
    /// <see cref="PurifierOptions.AmbiguousMargin"/>) y′ votes too, with λ·Σ_{i ≥ w} p_{y′}(x_i), and wins ties.
    /// </summary>
    /// <param name="probabilities">p(x_i) of the M snapshots, snapshot-major: M·K values (<see cref="DecisionMapping.ProbabilitiesOf"/>).</param>
    /// <param name="classes">K ≥ 2.</param>
    /// <param name="inputLabel">y′, left out of the vote unless <paramref name="ownLabelWeight"/> &gt; 0; in [0, K).</param>
    /// <param name="warmUp">w: the first snapshot that votes; in [0, M).</param>
    /// <param name="ownLabelWeight">λ ≥ 0, the weight of y′'s votes; 0 (the default) leaves y′ out.</param>
    /// <exception cref="ArgumentException">A size, index or weight is out of range; the message names it.</exception>
    public static (long Class, int Snapshot) Choose(IReadOnlyList<double> probabilities, int classes, long inputLabel, int warmUp,
        double ownLabelWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (probabilities.Count == 0 || probabilities.Count % classes != 0)
            throw new ArgumentException($"probabilities must hold M·K values for K = {classes}; got {probabilities.Count}.", nameof(probabilities));
        var (voted, _, snapshot) = Choose([probabilities], classes, inputLabel, warmUp, ownLabelWeight);
        return (voted, snapshot);
    }

    /// <summary>
    /// The vote over the traces of one input under several seeds (<see cref="PurifierOptions.Seeds"/>): as the one-trace
    /// vote, with the sums Σ_{i ≥ w} p_k(x_i) taken over the snapshots of every trace, and the output the snapshot i ≥ w of any
    /// trace with the largest p_c(x_i) (the earliest trace, then the earliest snapshot, on ties).
    /// </summary>
    /// <param name="traces">p(x_i) of each trace's M snapshots, snapshot-major: M_t·K values each (traces may differ in length M_t; each votes with its snapshots from w on).</param>
    /// <param name="classes">K ≥ 2.</param>
    /// <param name="inputLabel">y′, left out of the vote unless <paramref name="ownLabelWeight"/> &gt; 0; in [0, K).</param>
    /// <param name="warmUp">w: the first snapshot that votes; in [0, M).</param>
    /// <param name="ownLabelWeight">λ ≥ 0, the weight of y′'s votes; 0 (the default) leaves y′ out.</param>
    /// <returns>The voted class, the trace and the snapshot of the output.</returns>
    /// <exception cref="ArgumentException">No trace is given, or a size, index or weight is out of range; the message names it.</exception>
    public static (long Class, int Trace, int Snapshot) Choose(IReadOnlyList<IReadOnlyList<double>> traces, int classes, long inputLabel,
        int warmUp, double ownLabelWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Count == 0)
            throw new ArgumentException("At least one trace is needed.", nameof(traces));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        for (int t = 0; t < traces.Count; t++)
        {
            if (traces[t] is null || traces[t].Count == 0 || traces[t].Count % classes != 0)
                throw new ArgumentException($"Trace {t} must hold M·K probabilities for K = {classes}; got {traces[t]?.Count ?? 0}.", nameof(traces));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(inputLabel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inputLabel, classes);
        // Traces may differ in length (one the marked stop cut is read up to its cut): each votes with its snapshots from w on.
        int shortest = traces.Min(t => t.Count) / classes;
        ArgumentOutOfRangeException.ThrowIfNegative(warmUp);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmUp, shortest);
        if (!(ownLabelWeight >= 0) || double.IsInfinity(ownLabelWeight))
            throw new ArgumentOutOfRangeException(nameof(ownLabelWeight), ownLabelWeight, "ownLabelWeight must be finite and non-negative.");

        var votes = new double[classes];
        foreach (var probabilities in traces)
            for (int i = warmUp; i < probabilities.Count / classes; i++)
                for (int k = 0; k < classes; k++)
                    votes[k] += probabilities[i * classes + k];
        int voted = -1;
        for (int k = 0; k < classes; k++)
            if (k != inputLabel && (voted < 0 || votes[k] > votes[voted]))
                voted = k;
        if (ownLabelWeight > 0 && ownLabelWeight * votes[inputLabel] >= votes[voted])
            voted = (int)inputLabel;

        int bestTrace = 0, best = warmUp;
        for (int t = 0; t < traces.Count; t++)
            for (int i = warmUp; i < traces[t].Count / classes; i++)
                if (traces[t][i * classes + voted] > traces[bestTrace][best * classes + voted])
                    (bestTrace, best) = (t, i);
        return (voted, bestTrace, best);
    }
}
