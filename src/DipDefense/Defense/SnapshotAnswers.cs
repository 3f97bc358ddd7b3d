namespace DipDefense.Defense;

/// <summary>
/// What one DIP fit of the purifier already knows about its snapshots, so that the decision mapping does not ask the
/// victim again (docs/performance.md, "After the trace"): the victim's label and float64 softmax of the snapshots the
/// early stop asked about (<see cref="EarlyTraceStop"/>), and where each trace stopped (its later snapshots repeat that
/// one, so their answers are its answers). Rows are the networks of one <c>DipTraceRunner.Run</c> call.
/// </summary>
/// <remarks>Recording is safe from concurrent calls on disjoint networks (the runner's workers).</remarks>
internal sealed class SnapshotAnswers
{
    private readonly object gate = new();
    private readonly int snapshots;
    private readonly bool[] known;
    private readonly long[] labels;
    private double[]? probabilities;
    private int[]? lastSnapshot;

    /// <summary>Room for <paramref name="networks"/> traces of <paramref name="snapshots"/> snapshots, nothing known yet.</summary>
    public SnapshotAnswers(int networks, int snapshots)
    {
        this.snapshots = snapshots;
        known = new bool[networks * snapshots];
        labels = new long[networks * snapshots];
    }

    /// <summary>The victim's number of classes, once an answer was recorded (else 0).</summary>
    public int Classes { get; private set; }

    /// <summary>Records the victim's label of snapshot <paramref name="snapshot"/> of network <paramref name="network"/> and
    /// its probabilities, <paramref name="classes"/> values of <paramref name="probabilities"/> from <paramref name="offset"/>.</summary>
    public void Record(int network, int snapshot, long label, double[] probabilities, int offset, int classes)
    {
        double[] store;
        lock (gate)
        {
            if (this.probabilities is null)
                (this.probabilities, Classes) = (new double[known.Length * classes], classes);
            else if (classes != Classes)
                throw new InvalidOperationException($"The victim answered with {classes} classes after {Classes}.");
            store = this.probabilities;
        }
        int row = network * snapshots + snapshot;
        labels[row] = label;
        Array.Copy(probabilities, offset, store, (long)row * classes, classes);
        known[row] = true;
    }

    /// <summary>Sets each network's last fitted snapshot (<c>DipTraceResult.StoppedAt</c>), once the fit has ended.</summary>
    public void StoppedAt(int[] stoppedAt)
    {
        if (stoppedAt.Length * snapshots != known.Length)
            throw new ArgumentException($"One stop per network is needed ({known.Length / snapshots}); got {stoppedAt.Length}.", nameof(stoppedAt));
        lastSnapshot = stoppedAt;
    }

    /// <summary>The last snapshot network <paramref name="network"/> fitted (M − 1 until <see cref="StoppedAt"/> was called).</summary>
    public int LastSnapshotOf(int network) => lastSnapshot?[network] ?? snapshots - 1;

    /// <summary>Whether the victim's answer about snapshot <paramref name="snapshot"/> of network <paramref name="network"/> is known.</summary>
    public bool Knows(int network, int snapshot) => known[network * snapshots + snapshot];

    /// <summary>The recorded label (when <see cref="Knows"/>).</summary>
    public long LabelOf(int network, int snapshot) => labels[network * snapshots + snapshot];

    /// <summary>Copies the recorded probabilities (when <see cref="Knows"/>) into <paramref name="target"/> from <paramref name="offset"/>.</summary>
    public void CopyProbabilities(int network, int snapshot, double[] target, long offset) =>
        Array.Copy(probabilities!, (long)(network * snapshots + snapshot) * Classes, target, offset, Classes);
}
