namespace DipDefense.Defense;

/// <summary>
/// Step 2 of the method (docs/method.md) for B traces of M snapshots: the victim's label y_i and the SSIM
/// q_i = SSIM(x_i, x′) of every snapshot, the victim's label y′ of each input and its logit margin m there, and the support
/// s_i = p_{y′}(x_i), the victim's probability (softmax of its logits) of the input's label at every snapshot, and the victim's
/// probabilities p(x_i) of every class at every snapshot (the vote of <see cref="PurifierSelection.Vote"/>). It does not depend on τ, w, N, η or G, so one mapping serves every
/// setting of <see cref="DecisionSpaceReconstruction"/> for the same traces, inputs and victim
/// (<see cref="DecisionSpaceReconstruction.Map"/>, then
/// <see cref="DecisionSpaceReconstruction.Reconstruct(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, DecisionMapping, CancellationToken)"/>).
/// </summary>
public sealed class DecisionMapping
{
    private readonly long[] labels;
    private readonly double[] ssim;
    private readonly long[] inputLabels;
    private readonly double[] inputMargins;
    private readonly double[] probabilities;

    internal DecisionMapping(int traces, int snapshots, int classes, long[] labels, double[] ssim, long[] inputLabels,
        double[] inputMargins, double[] probabilities, TimeSpan elapsed)
    {
        this.inputMargins = inputMargins;
        Classes = classes;
        this.probabilities = probabilities;
        Traces = traces;
        Snapshots = snapshots;
        this.labels = labels;
        this.ssim = ssim;
        this.inputLabels = inputLabels;
        Elapsed = elapsed;
    }

    /// <summary>B, the number of traces mapped.</summary>
    public int Traces { get; }

    /// <summary>M, the snapshots per trace.</summary>
    public int Snapshots { get; }

    /// <summary>K, the victim's number of classes.</summary>
    public int Classes { get; }

    /// <summary>The time the mapping took (victim queries and SSIM).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>y_i of trace <paramref name="trace"/>: M labels, earliest first.</summary>
    public ArraySegment<long> LabelsOf(int trace) => new(labels, CheckTrace(trace) * Snapshots, Snapshots);

    /// <summary>q_i of trace <paramref name="trace"/>: M values, earliest first.</summary>
    public ArraySegment<double> SsimOf(int trace) => new(ssim, CheckTrace(trace) * Snapshots, Snapshots);

    /// <summary>y′ of trace <paramref name="trace"/>: the victim's label of the input the trace was fitted to.</summary>
    public long InputLabelOf(int trace) => inputLabels[CheckTrace(trace)];

    /// <summary>
    /// m of trace <paramref name="trace"/>: the victim's logit margin on the input, z_{y′}(x′) − max_{k ≠ y′} z_k(x′), ≥ 0
    /// (+∞ for a one-class victim).
    /// </summary>
    public double InputMarginOf(int trace) => inputMargins[CheckTrace(trace)];

    /// <summary>s_i of trace <paramref name="trace"/>: the victim's probability of the input's label y′ at every snapshot, M values.</summary>
    public ArraySegment<double> SupportOf(int trace)
    {
        var p = ProbabilitiesOf(trace);
        long y = inputLabels[trace];
        return new([.. Enumerable.Range(0, Snapshots).Select(i => p[i * Classes + (int)y])]);
    }

    /// <summary>p(x_i) of trace <paramref name="trace"/>: the victim's probability of every class at every snapshot, M·K values, snapshot-major (entry i·K + k is p_k(x_i)).</summary>
    public ArraySegment<double> ProbabilitiesOf(int trace) => new(probabilities, CheckTrace(trace) * Snapshots * Classes, Snapshots * Classes);

    /// <summary>The mapping of the first <paramref name="snapshots"/> snapshots of every trace (the reconstruction's horizon).</summary>
    internal DecisionMapping FirstSnapshots(int snapshots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapshots, Snapshots);
        if (snapshots == Snapshots)
            return this;
        T[] Take<T>(T[] values, int width) =>
            [.. Enumerable.Range(0, Traces).SelectMany(b => values.Skip(b * Snapshots * width).Take(snapshots * width))];
        return new DecisionMapping(Traces, snapshots, Classes, Take(labels, 1), Take(ssim, 1), inputLabels,
            inputMargins, Take(probabilities, Classes), Elapsed);
    }

    /// <summary>
    /// The mapping of the same traces with trace b stopped after snapshot <paramref name="stops"/>[b]: its later snapshots
    /// repeat that one's label, SSIM and probabilities (what a trace the early stop ended holds; docs/method.md, "Early stop").
    /// </summary>
    internal DecisionMapping StoppedAfter(IReadOnlyList<int> stops)
    {
        if (stops.Count != Traces)
            throw new ArgumentException($"One stop per trace is needed ({Traces}); got {stops.Count}.", nameof(stops));
        T[] Repeat<T>(T[] values, int width)
        {
            var result = new T[values.Length];
            for (int b = 0; b < Traces; b++)
                for (int i = 0; i < Snapshots; i++)
                    Array.Copy(values, (b * Snapshots + Math.Min(i, stops[b])) * width, result, (b * Snapshots + i) * width, width);
            return result;
        }
        return new DecisionMapping(Traces, Snapshots, Classes, Repeat(labels, 1), Repeat(ssim, 1), inputLabels,
            inputMargins, Repeat(probabilities, Classes), Elapsed);
    }

    /// <summary>The label of snapshot <paramref name="row"/> of the flattened [B·M] snapshots (row = b·M + i).</summary>
    internal long LabelAt(long row) => labels[row];

    private int CheckTrace(int trace)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trace);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trace, Traces);
        return trace;
    }
}
