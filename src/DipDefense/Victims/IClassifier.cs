using static TorchSharp.torch;

namespace DipDefense.Victims;

/// <summary>
/// A victim image classifier queried on batches of images.
/// </summary>
/// <remarks>
/// Inputs are float32 <c>[N, C, H, W]</c> in [0, 1] on any device; outputs are on the input's device.
/// Every image passed to <see cref="Logits"/> or <see cref="Predict"/> counts as one query in
/// <see cref="QueryCount"/>, which decision-based attacks budget.
/// </remarks>
public interface IClassifier
{
    /// <summary>Number of classes K.</summary>
    int NumClasses { get; }

    /// <summary>Images queried so far (one per image, not per call).</summary>
    long QueryCount { get; }

    /// <summary>Sets <see cref="QueryCount"/> back to zero.</summary>
    void ResetQueryCount();

    /// <summary>Logits float32 [N, K] for images [N, C, H, W] in [0, 1].</summary>
    Tensor Logits(Tensor images);

    /// <summary>Predicted labels int64 [N] (argmax of the logits).</summary>
    Tensor Predict(Tensor images);
}
