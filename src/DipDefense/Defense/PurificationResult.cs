using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// The output of <see cref="DecisionSpacePurifier.Purify"/> and of <see cref="DecisionSpaceReconstruction"/> (which gets
/// the DIP traces from its caller, so its <see cref="StageTimings.Trace"/> is zero). Owns <see cref="PurifierResult.Purified"/>;
/// <see cref="PurifierResult{TDiagnostics}.Diagnostics"/> holds one entry per image, in input order, each with its
/// chunk's stage times shared evenly.
/// </summary>
public sealed class PurificationResult : PurifierResult<PurificationDiagnostics>
{
    internal PurificationResult(Tensor purified, IReadOnlyList<PurificationDiagnostics> diagnostics, StageTimings timings)
        : base(purified, diagnostics)
    {
        Timings = timings;
    }

    /// <summary>Total time of each stage over the whole call (the sum over chunks).</summary>
    public StageTimings Timings { get; }

    /// <summary>The victim's labels of the purified images, in input order.</summary>
    public long[] FinalLabels => [.. Diagnostics.Select(d => d.FinalLabel)];
}
