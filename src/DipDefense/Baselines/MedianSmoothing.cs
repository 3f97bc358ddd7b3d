using DipDefense.Defense;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// Median smoothing, the local spatial smoothing squeezer of Xu, Evans and Qi, "Feature Squeezing: Detecting
/// Adversarial Examples in Deep Neural Networks" (NDSS 2018, https://arxiv.org/abs/1704.01155), as IBM ART's
/// <c>SpatialSmoothing</c> preprocessor computes it with SciPy's <c>median_filter</c>: every pixel of every channel
/// becomes the median of its k×k window, borders padded by half-sample reflection (<c>mode="reflect"</c>).
/// </summary>
/// <remarks>
/// For an even k the window covers offsets −k/2 … k/2 − 1 around the pixel (SciPy's origin 0: the pixel sits at the
/// lower right of the window's centre) and the median is the upper of the two middle values (SciPy's rank k²/2, ART's
/// "median(4, 5) = 5"). Deterministic. Its BPDA substitute (<see cref="EstimateForward"/>) is the filter itself:
/// the median is differentiable almost everywhere (its gradient goes to the selected pixel), as in ART's PyTorch
/// implementation, which is a better estimate than the identity.
/// </remarks>
public sealed class MedianSmoothing : ImageTransformPurifier
{
    /// <summary>Creates the smoother.</summary>
    /// <param name="options">Settings; null: the defaults (3×3 window).</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public MedianSmoothing(MedianSmoothingOptions? options = null)
    {
        options ??= new MedianSmoothingOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public MedianSmoothingOptions Options { get; }

    /// <summary><c>median</c>.</summary>
    public override string Name => "median";

    /// <summary>Median-filters every channel of every image.</summary>
    protected override Tensor Transform(Tensor images, CancellationToken cancellationToken) => Filter(images);

    /// <summary>The median filter itself, differentiable with respect to <paramref name="images"/> [N, C, H, W] (BPDA substitute).</summary>
    public override Tensor EstimateForward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Filter(images);
    }

    private Tensor Filter(Tensor images)
    {
        int k = Options.WindowSize;
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        using var scope = NewDisposeScope();
        var padded = SymmetricPadding.Pad(SymmetricPadding.Pad(images, 2, k / 2, k - 1 - k / 2), 3, k / 2, k - 1 - k / 2);
        var windows = padded.unfold(2, k, 1).unfold(3, k, 1).reshape(n, c, h, w, k * k);
        var (values, _) = windows.kthvalue(k * k / 2 + 1, -1);
        return values.MoveToOuterDisposeScope();
    }
}
