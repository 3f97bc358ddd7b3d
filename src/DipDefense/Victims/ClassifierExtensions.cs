using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Victims;

/// <summary>Helpers over <see cref="IClassifier"/>.</summary>
public static class ClassifierExtensions
{
    /// <summary>
    /// The victim's labels of <paramref name="images"/> [N, C, H, W] as a CPU array of N values
    /// (N queries); fails clearly when the classifier returns a different number of labels.
    /// </summary>
    public static long[] PredictLabels(this IClassifier classifier, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        using var predicted = classifier.Predict(images);
        if (predicted.numel() != images.shape[0])
            throw new InvalidOperationException($"The victim returned {predicted.numel()} labels for {images.shape[0]} images.");
        using var cpu = predicted.to(ScalarType.Int64).cpu();
        return cpu.data<long>().ToArray();
    }

    /// <summary>
    /// The victim's labels of <paramref name="images"/> [N, C, H, W] and its logit margin on each,
    /// z_label − max_{k ≠ label} z_k ≥ 0 (+∞ for a one-class victim), as CPU arrays of N values (N queries); fails clearly
    /// when the classifier returns logits for a different number of images.
    /// </summary>
    public static (long[] Labels, double[] Margins) PredictLabelsAndMargins(this IClassifier classifier, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var logits = classifier.Logits(images);
        if (logits.dim() != 2 || logits.shape[0] != images.shape[0])
            throw new InvalidOperationException($"The victim returned logits [{string.Join(", ", logits.shape)}] for {images.shape[0]} images.");
        var cpu = logits.to(ScalarType.Float64).cpu();
        long[] labels = cpu.argmax(1).data<long>().ToArray();
        if (cpu.shape[1] < 2)
            return (labels, [.. Enumerable.Repeat(double.PositiveInfinity, labels.Length)]);
        var top = cpu.topk(2, 1).values;
        return (labels, top.select(1, 0).sub(top.select(1, 1)).data<double>().ToArray());
    }
}
