using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Visualization;

/// <summary>
/// The victim's softmax confidences of every snapshot of one DIP trace (the data of the paper's Fig. 10): for
/// snapshot i and class k, softmax(victim logits of snapshot i)[k].
/// </summary>
public sealed class SnapshotConfidences
{
    readonly float[] probabilities; // [M, K] row-major

    SnapshotConfidences(float[] probabilities, int snapshots, int classes)
    {
        this.probabilities = probabilities;
        Snapshots = snapshots;
        Classes = classes;
    }

    /// <summary>M, the number of snapshots.</summary>
    public int Snapshots { get; }

    /// <summary>K, the victim's number of classes.</summary>
    public int Classes { get; }

    /// <summary>
    /// Classifies the snapshots <c>[M, C, H, W]</c> of one trace (for example <c>DipTraceResult.Snapshots[b]</c>)
    /// with <see cref="IClassifier.Logits"/> in batches, without gradient, and keeps the softmax of every row.
    /// </summary>
    /// <param name="victim">The classifier; its query count grows by M.</param>
    /// <param name="snapshots">float32 <c>[M, C, H, W]</c> in [0, 1], M ≥ 1, on any device.</param>
    /// <param name="batchSize">Snapshots per call to the victim. Default 100.</param>
    /// <exception cref="ArgumentException">The snapshots are not a non-empty float32 <c>[M, C, H, W]</c> in [0, 1].</exception>
    /// <exception cref="InvalidOperationException">The victim returned logits of the wrong shape.</exception>
    public static SnapshotConfidences Compute(IClassifier victim, Tensor snapshots, int batchSize = 100)
    {
        ArgumentNullException.ThrowIfNull(victim);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (snapshots.dtype != ScalarType.Float32 || snapshots.dim() != 4)
            throw new ArgumentException(
                $"snapshots must be a float32 tensor [M, C, H, W] (one trace; take Snapshots[b] of a DipTraceResult); got {snapshots.dtype} [{string.Join(", ", snapshots.shape)}].",
                nameof(snapshots));
        if (snapshots.shape.Any(s => s == 0))
            throw new ArgumentException($"snapshots must not be empty; got [{string.Join(", ", snapshots.shape)}].", nameof(snapshots));

        using var noGrad = no_grad();
        int count = (int)snapshots.shape[0], classes = victim.NumClasses;
        using (NewDisposeScope())
        {
            double min = snapshots.min().item<float>(), max = snapshots.max().item<float>();
            if (!(min >= 0 && max <= 1))
                throw new ArgumentException($"snapshots must lie in [0, 1]; found [{min}, {max}].", nameof(snapshots));
        }

        var probabilities = new float[(long)count * classes];
        for (int start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, count - start);
            var logits = victim.Logits(snapshots.narrow(0, start, n));
            if (logits.dim() != 2 || logits.shape[0] != n || logits.shape[1] != classes)
                throw new InvalidOperationException(
                    $"The victim returned logits [{string.Join(", ", logits.shape)}] for {n} images; expected [{n}, {classes}].");
            var softmax = logits.to(ScalarType.Float32).softmax(1).cpu().contiguous();
            softmax.data<float>().CopyTo(probabilities.AsSpan(start * classes, n * classes));
        }
        return new SnapshotConfidences(probabilities, count, classes);
    }

    /// <summary>The confidence of class <paramref name="label"/> at snapshot <paramref name="snapshot"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public double this[int snapshot, long label]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(snapshot);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(snapshot, Snapshots);
            return probabilities[(long)snapshot * Classes + CheckLabel(label)];
        }
    }

    /// <summary>The confidence of class <paramref name="label"/> at every snapshot, earliest first (M values).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label is not in [0, K).</exception>
    public double[] Of(long label)
    {
        int k = CheckLabel(label);
        return Enumerable.Range(0, Snapshots).Select(i => (double)probabilities[(long)i * Classes + k]).ToArray();
    }

    /// <summary>The most confident class of every snapshot (the victim's label y_i), M values.</summary>
    public long[] Labels() =>
        Enumerable.Range(0, Snapshots).Select(i =>
        {
            var row = probabilities.AsSpan(i * Classes, Classes);
            int best = 0;
            for (int k = 1; k < row.Length; k++)
                if (row[k] > row[best]) best = k;
            return (long)best;
        }).ToArray();

    int CheckLabel(long label)
    {
        if (label < 0 || label >= Classes)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"label must lie in [0, {Classes}) for a victim of {Classes} classes.");
        return (int)label;
    }
}
