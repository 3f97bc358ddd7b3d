using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Metrics;

/// <summary>
/// Full-reference image quality of image batches with data range 1: SSIM (Wang et al. 2004) and PSNR.
/// </summary>
/// <remarks>
/// Inputs are floating-point [N, C, H, W] tensors in [0, 1] of the same shape and device; results are
/// float32 [N] on that device, computed in float64 without gradients.
/// </remarks>
public static class ImageQuality
{
    /// <summary>Side of the SSIM Gaussian window: 11.</summary>
    public const int SsimWindowSize = 11;

    /// <summary>Standard deviation of the SSIM Gaussian window: 1.5.</summary>
    public const double SsimSigma = 1.5;

    /// <summary>SSIM constant C1 = (0.01·L)² with data range L = 1.</summary>
    public const double SsimC1 = 0.01 * 0.01;

    /// <summary>SSIM constant C2 = (0.03·L)² with data range L = 1.</summary>
    public const double SsimC2 = 0.03 * 0.03;

    /// <summary>
    /// Mean structural similarity of each image pair, averaged over channels: [N, C, H, W] × 2 → [N].
    /// </summary>
    /// <remarks>
    /// Local statistics use an 11×11 Gaussian window (σ = 1.5, normalised to sum 1) over valid positions
    /// only (no padding), with population (biased) variances; C1 = 0.01², C2 = 0.03². This equals
    /// Wang et al.'s reference and <c>skimage.metrics.structural_similarity(gaussian_weights=True,
    /// sigma=1.5, use_sample_covariance=False, data_range=1)</c> averaged over channels.
    /// Images must be at least 11×11.
    /// </remarks>
    /// <param name="x">Images [N, C, H, W] in [0, 1].</param>
    /// <param name="y">Images of the same shape in [0, 1].</param>
    /// <returns>float32 [N], in [−1, 1]; 1 for identical images.</returns>
    /// <exception cref="ArgumentException">Wrong rank, shape, device, size or range; the message names the parameter.</exception>
    public static Tensor Ssim(Tensor x, Tensor y)
    {
        ImagePairValidation.Check(x, y, nameof(x), nameof(y), SsimWindowSize);
        DipDefense.Dip.NnpackSwitch.EnsureOff(); // its window convolutions would otherwise log a warning per batch of 16 or more on CPUs without NNPACK
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long channels = x.shape[1];
        var a = x.to(ScalarType.Float64);
        var b = y.to(ScalarType.Float64);

        var window = GaussianWindow(x.device);
        var vertical = window.view(1, 1, SsimWindowSize, 1).expand(channels, 1, SsimWindowSize, 1).contiguous();
        var horizontal = window.view(1, 1, 1, SsimWindowSize).expand(channels, 1, 1, SsimWindowSize).contiguous();
        Tensor Filter(Tensor t) =>
            nn.functional.conv2d(nn.functional.conv2d(t, vertical, groups: channels), horizontal, groups: channels);

        var meanA = Filter(a);
        var meanB = Filter(b);
        var varA = Filter(a * a) - meanA * meanA;
        var varB = Filter(b * b) - meanB * meanB;
        var cov = Filter(a * b) - meanA * meanB;
        var map = (2 * meanA * meanB + SsimC1) * (2 * cov + SsimC2)
                  / ((meanA * meanA + meanB * meanB + SsimC1) * (varA + varB + SsimC2));
        return map.mean([1, 2, 3]).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Peak signal-to-noise ratio of each image pair with data range 1: 10·log10(1 / MSE), [N, C, H, W] × 2 → [N].</summary>
    /// <param name="x">Images [N, C, H, W] in [0, 1].</param>
    /// <param name="y">Images of the same shape in [0, 1].</param>
    /// <returns>float32 [N] in decibels; +∞ for identical images.</returns>
    /// <exception cref="ArgumentException">Wrong rank, shape, device or range; the message names the parameter.</exception>
    public static Tensor Psnr(Tensor x, Tensor y)
    {
        ImagePairValidation.Check(x, y, nameof(x), nameof(y));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var mse = (x.to(ScalarType.Float64) - y.to(ScalarType.Float64)).square().mean([1, 2, 3]);
        return mse.log10().mul(-10).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The 1-D Gaussian weights exp(−i² / 2σ²), i = −5..5, normalised to sum 1 (float64).</summary>
    private static Tensor GaussianWindow(Device device)
    {
        int radius = SsimWindowSize / 2;
        var weights = new double[SsimWindowSize];
        for (int i = -radius; i <= radius; i++)
            weights[i + radius] = Math.Exp(-(i * i) / (2 * SsimSigma * SsimSigma));
        double sum = weights.Sum();
        for (int i = 0; i < weights.Length; i++) weights[i] /= sum;
        return tensor(weights, ScalarType.Float64, device);
    }
}
