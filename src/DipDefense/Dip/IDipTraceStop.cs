using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Decides, after each snapshot, which traces of a <see cref="DipTraceRunner.Run"/> call are finished, so that the runner
/// stops fitting them (early stop; docs/performance.md). A finished trace's later snapshots repeat the snapshot at which
/// it stopped, and its network leaves the batch, which does not change the traces that go on.
/// </summary>
/// <remarks>
/// The runner calls <see cref="Finished"/> from its worker threads, concurrently, each call with images of its own:
/// an implementation must be safe for concurrent calls on disjoint images, and must not use implicit (temporary)
/// TorchSharp scalars (see <see cref="DipAdam"/>).
/// </remarks>
public interface IDipTraceStop
{
    /// <summary>Whether each image's trace is finished after the snapshot it just took.</summary>
    /// <param name="images">Running images, as indices into the call's batch.</param>
    /// <param name="snapshot">Per image, the index m (0-based) of the snapshot it just took; never the last one (M − 1). The
    /// images of one call differ when the runner refills its batch.</param>
    /// <param name="snapshots">Those snapshots: float32 [n, C, H, W] in (0, 1), on the trace's device; valid during the call only.</param>
    /// <returns>One flag per image of <paramref name="images"/>: true when its trace can stop here.</returns>
    bool[] Finished(IReadOnlyList<int> images, IReadOnlyList<int> snapshot, Tensor snapshots);
}
