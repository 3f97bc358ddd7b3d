namespace DipDefense.Evaluation;

/// <summary>Accuracy of one class.</summary>
/// <param name="Label">The class index.</param>
/// <param name="Name">The class name.</param>
/// <param name="Count">Images of this class.</param>
/// <param name="Correct">Images of this class classified correctly.</param>
public sealed record ClassAccuracy(int Label, string Name, int Count, int Correct)
{
    /// <summary>Correct / Count; NaN when the class has no image.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}

/// <summary>What <see cref="ClassifierEvaluation.Evaluate"/> measured.</summary>
/// <param name="Count">Images classified.</param>
/// <param name="Correct">Images whose predicted label equals the true label.</param>
/// <param name="PerClass">Accuracy per class, in label order.</param>
/// <param name="Seconds">Wall-clock seconds spent in the classifier.</param>
public sealed record ClassificationReport(int Count, int Correct, IReadOnlyList<ClassAccuracy> PerClass, double Seconds)
{
    /// <summary>Correct / Count; NaN for an empty set.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    /// <summary>Images classified per second.</summary>
    public double ImagesPerSecond => Seconds > 0 ? Count / Seconds : double.NaN;
}
