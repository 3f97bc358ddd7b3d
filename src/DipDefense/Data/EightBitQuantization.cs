using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Data;

/// <summary>
/// Puts images on the 1/255 grid that every supported file format stores, so that what is measured is
/// what is saved.
/// </summary>
public static class EightBitQuantization
{
    /// <summary>
    /// Rounds a perturbed image to the nearest 8-bit values, keeping it within an L∞ ball of radius
    /// <paramref name="maxLinf"/> around <paramref name="reference"/> when given.
    /// </summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1].</param>
    /// <param name="reference">The 8-bit images the perturbation was made from (same shape), or null.</param>
    /// <param name="maxLinf">The L∞ budget; with a reference, each rounded perturbation is clipped to the
    /// largest whole number of 1/255 steps inside it, so rounding never leaves the ball.</param>
    /// <returns>A new tensor; values are multiples of 1/255 in [0, 1].</returns>
    public static Tensor Quantize(Tensor images, Tensor? reference = null, double? maxLinf = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        if (reference is null || maxLinf is null)
            return images.mul(255).round().clamp(0, 255).div(255).MoveToOuterDisposeScope();
        if (!reference.shape.SequenceEqual(images.shape))
            throw new ArgumentException($"reference has shape [{string.Join(", ", reference.shape)}]; expected [{string.Join(", ", images.shape)}].", nameof(reference));
        double steps = Math.Floor(maxLinf.Value * 255 + 1e-6);
        var baseSteps = reference.mul(255).round();
        var delta = images.mul(255).sub(baseSteps).round().clamp(-steps, steps);
        return baseSteps.add(delta).clamp(0, 255).div(255).MoveToOuterDisposeScope();
    }
}
