using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>The DIP traces of B images: M snapshots each, their losses and timings. Owns <see cref="Snapshots"/>.</summary>
public sealed class DipTraceResult : IDisposable
{
    internal DipTraceResult(Tensor snapshots, float[,] losses, int[] snapshotIterations, TimeSpan[] snapshotTimes, TimeSpan elapsed, int iterations, int[] stoppedAt)
    {
        StoppedAt = stoppedAt;
        Snapshots = snapshots;
        Losses = losses;
        SnapshotIterations = snapshotIterations;
        SnapshotTimes = snapshotTimes;
        Elapsed = elapsed;
        Iterations = iterations;
    }

    /// <summary>
    /// float32 [B, M, C, H, W] in (0, 1) on the targets' device: <c>Snapshots[b, m]</c> is image b's
    /// generator output computed in the forward pass of iteration <see cref="SnapshotIterations"/>[m]
    /// (the output the loss of that iteration was taken from). <c>Snapshots[b]</c> is image b's whole
    /// trace, earliest first, ready to classify as one batch.
    /// </summary>
    public Tensor Snapshots { get; }

    /// <summary><c>Losses[b, m]</c>: the MSE of snapshot m of image b against image b.</summary>
    public float[,] Losses { get; }

    /// <summary>The 1-based iteration of each snapshot: (m + 1)·T/M.</summary>
    public int[] SnapshotIterations { get; }

    /// <summary>Time since the optimisation loop started at which the call reached each snapshot m: B·(m + 1) snapshots taken
    /// by all images together (every image's snapshot m when all run at once; see <see cref="DipTraceRunner.Run"/>).</summary>
    public TimeSpan[] SnapshotTimes { get; }

    /// <summary>Duration of the whole optimisation loop (T iterations, excluding network construction).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// Per image, the snapshot index after which its trace stopped: M − 1 when it ran all T iterations, less when an
    /// early stop (<see cref="IDipTraceStop"/>) finished it; its later snapshots and losses repeat that snapshot's.
    /// </summary>
    public int[] StoppedAt { get; }

    /// <summary>Iterations T per trace (a stopped trace ran fewer; see <see cref="StoppedAt"/>).</summary>
    public int Iterations { get; }

    /// <summary>Number of images B.</summary>
    public int Count => (int)Snapshots.shape[0];

    /// <summary>Wall-clock seconds per Adam iteration (for all B images together).</summary>
    public double SecondsPerIteration => Elapsed.TotalSeconds / Iterations;

    /// <inheritdoc />
    public void Dispose() => Snapshots.Dispose();
}
