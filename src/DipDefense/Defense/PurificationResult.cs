using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// The output of <see cref="DecisionSpacePurifier.Purify"/> and of <see cref="DecisionSpaceReconstruction"/> (which gets
/// the DIP traces from its caller, so its <see cref="StageTimings.Trace"/> is zero). Owns <see cref="Purified"/>.
/// </summary>
public sealed class PurificationResult : IDisposable
{
    internal PurificationResult(Tensor purified, IReadOnlyList<PurificationDiagnostics> diagnostics, StageTimings timings)
    {
        Purified = purified;
        Diagnostics = diagnostics;
        Timings = timings;
    }

    /// <summary>x̂: the purified images, float32 [N, C, H, W] in [0, 1] on the input's device.</summary>
    public Tensor Purified { get; }

    /// <summary>One entry per image, in input order; each entry's <see cref="PurificationDiagnostics.Timings"/> is its chunk's stage times shared evenly.</summary>
    public IReadOnlyList<PurificationDiagnostics> Diagnostics { get; }

    /// <summary>Total time of each stage over the whole call (the sum over chunks).</summary>
    public StageTimings Timings { get; }

    /// <summary>The victim's labels of the purified images, in input order.</summary>
    public long[] FinalLabels => [.. Diagnostics.Select(d => d.FinalLabel)];

    /// <inheritdoc />
    public void Dispose() => Purified.Dispose();
}
