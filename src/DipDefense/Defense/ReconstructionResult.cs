using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>The output of <see cref="DecisionSpaceReconstruction"/> for B traces. Owns <see cref="Reconstructed"/>.</summary>
public sealed class ReconstructionResult : IDisposable
{
    internal ReconstructionResult(Tensor reconstructed, IReadOnlyList<PurificationDiagnostics> diagnostics, StageTimings timings)
    {
        Reconstructed = reconstructed;
        Diagnostics = diagnostics;
        Timings = timings;
    }

    /// <summary>x̂: float32 [B, C, H, W] in [0, 1] on the traces' device.</summary>
    public Tensor Reconstructed { get; }

    /// <summary>One entry per trace; their <see cref="PurificationDiagnostics.Timings"/> share the stage times evenly and have a zero trace time.</summary>
    public IReadOnlyList<PurificationDiagnostics> Diagnostics { get; }

    /// <summary>Time of each stage for all B traces together (<see cref="StageTimings.Trace"/> is zero).</summary>
    public StageTimings Timings { get; }

    /// <inheritdoc />
    public void Dispose() => Reconstructed.Dispose();
}
