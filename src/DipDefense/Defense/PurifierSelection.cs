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
}
