namespace DipDefense.Defense;

/// <summary>What the purifier saw and decided for one image (docs/method.md, steps 2–6).</summary>
/// <remarks>Snapshot indices are 0-based positions in the trace of M snapshots.</remarks>
public sealed record PurificationDiagnostics
{
    /// <summary>y_i: the victim's label of every snapshot, M values, earliest first.</summary>
    public required long[] TraceLabels { get; init; }

    /// <summary>q_i = SSIM(x_i, x′): every snapshot's similarity to the input, M values.</summary>
    public required double[] TraceSsim { get; init; }

    /// <summary>Every cross-boundary index i (Eq. 3: i ≥ w, q_i ≥ τ, y_i ≠ y_{i+1}), ascending.</summary>
    public required int[] Crossings { get; init; }

    /// <summary>The pairs (i, i + 1) used: the last N of <see cref="Crossings"/>; empty when <see cref="FallbackUsed"/>.</summary>
    public required int[] UsedPairs { get; init; }

    /// <summary>λ* of each used pair (same order as <see cref="UsedPairs"/>): the first grid point k/G whose label differs from y_i.</summary>
    public required double[] Lambdas { get; init; }

    /// <summary>Number of on-boundary images x_b averaged into the output (the used pairs, or the fallback snapshots).</summary>
    public required int OnBoundaryCount { get; init; }

    /// <summary>Whether the output is the last N snapshots stitched with η = 0: no pair was used (none detected, or the input passed the gate) and no vote chose a snapshot.</summary>
    public required bool FallbackUsed { get; init; }

    /// <summary>y′: the victim's label of the input.</summary>
    public long InputLabel { get; init; }

    /// <summary>
    /// The lock-in snapshot: the first index from which every snapshot has the label of the last one (0 when the label never
    /// changes). An adversarial input's trace locks into its label once the adversarial noise is fitted.
    /// </summary>
    public int LockIn { get; init; }

    /// <summary>The gate's value for this input: the mean of p_{y′}(x_i) over the gate window; null under <see cref="PurifierSelection.Paper"/>.</summary>
    public double? GateSupport { get; init; }

    /// <summary>
    /// m: the victim's logit margin on the input, z_{y′}(x′) − max_{k ≠ y′} z_k(x′) (+∞ for a one-class victim); under
    /// <see cref="PurifierSelection.Vote"/> a marked input below <see cref="PurifierOptions.AmbiguousMargin"/> votes with y′ too (when its mean final fit reaches <see cref="PurifierOptions.AmbiguousFit"/>).
    /// </summary>
    public double InputMargin { get; init; }

    /// <summary>Whether the input passed the gate (its output is its last snapshot; no pair was looked at).</summary>
    public bool PassedThrough { get; init; }

    /// <summary>K, the number of traces the purifier ran for this image (<see cref="PurifierOptions.Seeds"/>); the trace fields (<see cref="TraceLabels"/>, <see cref="TraceSsim"/>, <see cref="LockIn"/>, <see cref="GateSupport"/>, the pairs) are of the first.</summary>
    public int Traces { get; init; } = 1;

    /// <summary>
    /// The share of the DIP fit that ran for this image, the mean over its <see cref="Traces"/> traces of (s + 1)/M for a
    /// trace that ran to snapshot s: 1 for full traces, H under a horizon (<see cref="PurifierOptions.Horizon"/>), less for
    /// traces the settled-fit stop ended (<see cref="PurifierOptions.SettledFit"/>).
    /// </summary>
    public double TraceShare { get; init; } = 1;

    /// <summary>Under <see cref="PurifierSelection.Vote"/>: how many of the <see cref="Traces"/> traces mark the input as adversarial (it is marked when <see cref="PurifierOptions.MarksNeeded"/> do: all, unless <see cref="PurifierOptions.MarkQuorum"/> says fewer); else null.</summary>
    public int? MarkingTraces { get; init; }

    /// <summary>Under <see cref="PurifierSelection.Vote"/>, for a marked input: the voted class c (<see cref="SnapshotVote"/>; y′ only for an ambiguous input whose own label won); else null.</summary>
    public long? VotedClass { get; init; }

    /// <summary>
    /// Under <see cref="PurifierSelection.Vote"/>: the trace (0-based, below <see cref="Traces"/>) the output comes from, for a
    /// marked input the trace of the voted snapshot, for an unmarked one its first trace that does not mark it; else null.
    /// </summary>
    public int? OutputTrace { get; init; }

    /// <summary>Under <see cref="PurifierSelection.Vote"/>, for a marked input: the snapshot i ≥ w (of trace <see cref="OutputTrace"/>) with the largest p_c(x_i), which is the output; else null.</summary>
    public int? VotedSnapshot { get; init; }

    /// <summary>The victim's label of the purified image.</summary>
    public required long FinalLabel { get; init; }

    /// <summary>
    /// Time per stage for this image: each stage of a chunk of B images is timed as a whole (the images are
    /// processed together) and shared evenly, so every image of a chunk reports the chunk's time / B.
    /// </summary>
    public StageTimings Timings { get; init; }

    /// <summary>
    /// The "ceiling" diagnostic: whether some snapshot at index ≥ <paramref name="warmUp"/> has label
    /// <paramref name="label"/> (typically the true class). When none has, no choice of snapshots along this
    /// trace can be classified correctly by itself.
    /// </summary>
    /// <param name="label">The label looked for.</param>
    /// <param name="warmUp">First snapshot index considered (e.g. <see cref="PurifierOptions.WarmUp"/>); ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="warmUp"/> is negative.</exception>
    public bool TraceShowsLabel(long label, int warmUp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmUp);
        for (int i = warmUp; i < TraceLabels.Length; i++)
            if (TraceLabels[i] == label)
                return true;
        return false;
    }
}
