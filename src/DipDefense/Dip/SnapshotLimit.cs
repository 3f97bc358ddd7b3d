using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Stops every trace once snapshot <see cref="Last"/> is taken: for a reader that never looks past it (the purifier's
/// horizon, <see cref="Defense.PurifierOptions.Horizon"/>), the iterations after it are wasted work.
/// </summary>
/// <param name="last">The index m (0-based) of the last snapshot needed; at least 0.</param>
public sealed class SnapshotLimit(int last) : IDipTraceStop
{
    /// <summary>The index of the last snapshot needed.</summary>
    public int Last { get; } = last >= 0 ? last : throw new ArgumentOutOfRangeException(nameof(last), last, "The last snapshot index must be at least 0.");

    /// <inheritdoc />
    public bool[] Finished(IReadOnlyList<int> images, IReadOnlyList<int> snapshot, Tensor snapshots) =>
        [.. snapshot.Select(m => m >= Last)];
}
