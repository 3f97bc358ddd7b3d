namespace DipDefense.Defense;

/// <summary>How <see cref="DecisionSpaceReconstruction"/> chooses each output (docs/method.md, "Selection modes").</summary>
public enum PurifierSelection
{
    /// <summary>The paper's Eq. 3–7 for every input: the last N cross-boundary pairs after the warm-up, pushed and stitched.</summary>
    Paper,

    /// <summary>
    /// A support gate before Eq. 3–7 (beyond the paper): an input whose own label y′ keeps a mean probability of at least
    /// <see cref="PurifierOptions.GateThreshold"/> over the snapshots of the gate window passes through as its last
    /// snapshot; the others go through Eq. 3–7. Adversarial noise is fitted late, so an adversarial input's label gets
    /// little support from the early, recognisable snapshots; a clean input's label does.
    /// </summary>
    SupportGate,

    /// <summary>
    /// Detect, then vote (beyond the paper; docs/method.md, "Selection modes"): the trace marks an input as adversarial when
    /// its last snapshot's label differs from y′, or when a snapshot from w on is not labelled y′ and the gate support of y′
    /// is below <see cref="PurifierOptions.GateThreshold"/>. Other inputs pass through as their last snapshot. A marked
    /// input's output is the snapshot from w on that best shows the class the snapshots from w on vote for, y′ left out
    /// (<see cref="SnapshotVote"/>); Eq. 3–7 are not used.
    /// </summary>
    Vote,
}
