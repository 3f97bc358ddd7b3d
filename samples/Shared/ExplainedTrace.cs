using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Victims;
using DipDefense.Visualization;
using static TorchSharp.torch;

/// <summary>
/// One image's DIP trace with what the purifier decided along it (its diagnostics) and the victim's confidences of
/// every snapshot. The trace is run with the seed the purifier gives that image, so it is the purifier's own trace:
/// image i of a purification with base seed S uses seed S + i (row i of a DipPurify pipeline too).
/// </summary>
sealed class ExplainedTrace
{
    ExplainedTrace(PurificationDiagnostics diagnostics, SnapshotConfidences confidences, int[] iterations)
    {
        Diagnostics = diagnostics;
        Confidences = confidences;
        Iterations = iterations;
    }

    /// <summary>The purifier's diagnostics: labels and SSIM along the trace, crossings, used pairs, λ*, fallback, final label.</summary>
    public PurificationDiagnostics Diagnostics { get; }

    /// <summary>The victim's softmax confidences of every snapshot.</summary>
    public SnapshotConfidences Confidences { get; }

    /// <summary>The DIP iteration of every snapshot.</summary>
    public int[] Iterations { get; }

    /// <summary>Runs the trace of <paramref name="image"/> [C, H, W] with <paramref name="seed"/> and reconstructs it as the purifier does.</summary>
    public static ExplainedTrace Run(IClassifier victim, PurifierOptions options, Tensor image, long seed, IProgress<DipProgress>? progress = null)
    {
        using var batch = image.unsqueeze(0);
        using var trace = new DipTraceRunner(options.Trace with { Seed = seed }).Run(batch, progress);
        using var snapshots = trace.Snapshots[0];
        using var reconstruction = new DecisionSpaceReconstruction(victim, options).ReconstructOne(snapshots, image);
        return new ExplainedTrace(reconstruction.Diagnostics[0], SnapshotConfidences.Compute(victim, snapshots), trace.SnapshotIterations);
    }

    /// <summary>Draws the paper's Fig. 10 for this trace: the confidences of the two classes, the SSIM, the crossings.</summary>
    public void SavePlot(string path, long trueLabel, long adversarialLabel, IReadOnlyList<string> classNames) =>
        DecisionTracePlot.Save(
            DecisionTrace.From(Confidences, Iterations, trueLabel, adversarialLabel, classNames)
                with { Crossings = Diagnostics.Crossings, Ssim = Diagnostics.TraceSsim },
            path);
}
