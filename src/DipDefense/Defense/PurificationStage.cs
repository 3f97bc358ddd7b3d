namespace DipDefense.Defense;

/// <summary>The stages of the decision-space purifier, in the order they run for each chunk of images.</summary>
public enum PurificationStage
{
    /// <summary>Step 1: fitting the DIP generators and recording the M snapshots.</summary>
    Trace,

    /// <summary>Step 2: classifying every snapshot and measuring its SSIM to the input.</summary>
    DecisionMapping,

    /// <summary>Steps 3–4: cross-boundary detection and the on-boundary grid search.</summary>
    BoundarySearch,

    /// <summary>Steps 5–6: the on-manifold push, the stitching and the final classification.</summary>
    Stitching,
}
