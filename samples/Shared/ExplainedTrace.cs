using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Victims;
using DipDefense.Visualization;
using static TorchSharp.torch;

/// <summary>
/// One image's DIP traces with what the purifier decided along them (its diagnostics) and the victim's confidences of
/// every snapshot of the first. The traces are run with the seeds the purifier gives that image, so they are the purifier's
/// own: trace k of image i of a purification with base seed S uses seed S + 1000·k + i (row i of a DipPurify pipeline too).
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

    /// <summary>The victim's softmax confidences of every snapshot of the first trace.</summary>
    public SnapshotConfidences Confidences { get; }

    /// <summary>The DIP iteration of every snapshot.</summary>
    public int[] Iterations { get; }

    /// <summary>Runs the traces of <paramref name="image"/> [C, H, W], row <paramref name="row"/> of a purification, and reconstructs it as the purifier does.</summary>
    public static ExplainedTrace Run(IClassifier victim, PurifierOptions options, Tensor image, long row, IProgress<DipProgress>? progress = null)
    {
        // The K traces in one call of K networks, each with its own seed, as the purifier runs them (the same bytes as K runs).
        int count = options.TracesPerImage;
        using var batch = image.unsqueeze(0);
        using var copies = batch.expand(count, -1, -1, -1).contiguous();
        using var traces = new DipTraceRunner(options.Trace).Run(copies, progress, seeds: options.TraceSeeds(row, 1));
        var perTrace = Enumerable.Range(0, count).Select(k => traces.Snapshots.narrow(0, k, 1)).ToArray();
        try
        {
            using var reconstruction = new DecisionSpaceReconstruction(victim, options).Reconstruct(perTrace, batch);
            using var snapshots = traces.Snapshots[0];
            return new ExplainedTrace(reconstruction.Diagnostics[0], SnapshotConfidences.Compute(victim, snapshots), traces.SnapshotIterations);
        }
        finally
        {
            foreach (var trace in perTrace)
                trace.Dispose();
        }
    }

    /// <summary>Draws the paper's Fig. 10 for this trace: the confidences of the two classes, the SSIM, the crossings.</summary>
    public void SavePlot(string path, long trueLabel, long adversarialLabel, IReadOnlyList<string> classNames) =>
        DecisionTracePlot.Save(
            DecisionTrace.From(Confidences, Iterations, trueLabel, adversarialLabel, classNames)
                with { Crossings = Diagnostics.Crossings, Ssim = Diagnostics.TraceSsim },
            path);
}
