namespace DipDefense.Defense;

/// <summary>
/// Step 2 of the method (docs/method.md) for B traces of M snapshots: the victim's label y_i and the SSIM
/// q_i = SSIM(x_i, x′) of every snapshot. It does not depend on τ, w, N, η or G, so one mapping serves every
/// setting of <see cref="DecisionSpaceReconstruction"/> for the same traces, inputs and victim
/// (<see cref="DecisionSpaceReconstruction.Map"/>, then
/// <see cref="DecisionSpaceReconstruction.Reconstruct(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, DecisionMapping, CancellationToken)"/>).
/// </summary>
public sealed class DecisionMapping
{
    private readonly long[] labels;
    private readonly double[] ssim;

    internal DecisionMapping(int traces, int snapshots, long[] labels, double[] ssim, TimeSpan elapsed)
    {
        Traces = traces;
        Snapshots = snapshots;
        this.labels = labels;
        this.ssim = ssim;
        Elapsed = elapsed;
    }

    /// <summary>B, the number of traces mapped.</summary>
    public int Traces { get; }

    /// <summary>M, the snapshots per trace.</summary>
    public int Snapshots { get; }

    /// <summary>The time the mapping took (victim queries and SSIM).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>y_i of trace <paramref name="trace"/>: M labels, earliest first.</summary>
    public ArraySegment<long> LabelsOf(int trace) => new(labels, CheckTrace(trace) * Snapshots, Snapshots);

    /// <summary>q_i of trace <paramref name="trace"/>: M values, earliest first.</summary>
    public ArraySegment<double> SsimOf(int trace) => new(ssim, CheckTrace(trace) * Snapshots, Snapshots);

    /// <summary>The label of snapshot <paramref name="row"/> of the flattened [B·M] snapshots (row = b·M + i).</summary>
    internal long LabelAt(long row) => labels[row];

    private int CheckTrace(int trace)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trace);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trace, Traces);
        return trace;
    }
}
