using System.Diagnostics;
using DipDefense.Data;
using DipDefense.Victims;
using TorchSharp;

namespace DipDefense.Evaluation;

/// <summary>Measures a classifier's accuracy on a labelled image set.</summary>
public static class ClassifierEvaluation
{
    /// <summary>
    /// Classifies every image of <paramref name="data"/> in batches and compares with the labels.
    /// </summary>
    /// <param name="classifier">The victim; its <see cref="IClassifier.QueryCount"/> grows by the image count.</param>
    /// <param name="data">Images and labels.</param>
    /// <param name="batchSize">Images per call to the classifier (default 100).</param>
    /// <param name="progress">Receives the number of images classified so far after each batch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static ClassificationReport Evaluate(
        IClassifier classifier, ImageDataset data, int batchSize = 100,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (classifier.NumClasses < data.ClassNames.Count)
            throw new ArgumentException($"The classifier has {classifier.NumClasses} classes; the data names {data.ClassNames.Count}.", nameof(data));

        var predicted = new long[data.Count];
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            classifier.PredictLabels(data.Images.narrow(0, start, n)).CopyTo(predicted, start);
            progress?.Report(start + n);
        }
        watch.Stop();
        long[] truth;
        using (torch.NewDisposeScope())
            truth = data.Labels.cpu().data<long>().ToArray();
        return Compare(predicted, truth, data.ClassNames, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Builds a report from predicted and true labels.</summary>
    public static ClassificationReport Compare(IReadOnlyList<long> predicted, IReadOnlyList<long> truth, IReadOnlyList<string> classNames, double seconds)
    {
        if (predicted.Count != truth.Count)
            throw new ArgumentException($"{predicted.Count} predictions for {truth.Count} labels.", nameof(predicted));
        var count = new int[classNames.Count];
        var correct = new int[classNames.Count];
        for (int i = 0; i < truth.Count; i++)
        {
            count[truth[i]]++;
            if (predicted[i] == truth[i]) correct[truth[i]]++;
        }
        var perClass = classNames.Select((name, k) => new ClassAccuracy(k, name, count[k], correct[k])).ToList();
        return new ClassificationReport(truth.Count, correct.Sum(), perClass, seconds);
    }
}
