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
}
