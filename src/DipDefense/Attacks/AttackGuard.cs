using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// The one place where attack inputs and hyper-parameters are checked. Every failure is an
/// <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) naming the parameter.
/// </summary>
internal static class AttackGuard
{
    /// <summary>Images must be float32 [N, C, H, W] with finite values in [0, 1].</summary>
    public static void Images(Tensor images, string paramName = "images")
    {
        ArgumentNullException.ThrowIfNull(images, paramName);
        if (images.dtype != ScalarType.Float32 || images.dim() != 4)
            throw new ArgumentException(
                $"{paramName} must be a float32 tensor [N, C, H, W] with values in [0, 1]; got {images.dtype} [{string.Join(", ", images.shape)}].",
                paramName);
        if (images.numel() == 0)
            return;
        using var scope = NewDisposeScope();
        double min = images.min().item<float>(), max = images.max().item<float>();
        if (!(min >= 0 && max <= 1)) // NaN fails both comparisons
            throw new ArgumentException(
                $"{paramName} must have values in [0, 1]; found [{min}, {max}].", paramName);
    }

    /// <summary>Labels must be int64 [N] with values ≥ 0 (and &lt; <paramref name="numClasses"/> when known).</summary>
    public static void Labels(Tensor labels, long count, int? numClasses = null, string paramName = "labels")
    {
        ArgumentNullException.ThrowIfNull(labels, paramName);
        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != count)
            throw new ArgumentException(
                $"{paramName} must be an int64 tensor [{count}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].",
                paramName);
        if (count == 0)
            return;
        using var scope = NewDisposeScope();
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || (numClasses is int k && max >= k))
            throw new ArgumentException(
                numClasses is int kk
                    ? $"{paramName} must lie in [0, {kk}); found [{min}, {max}]."
                    : $"{paramName} must be non-negative; found a minimum of {min}.",
                paramName);
    }

    /// <summary>A finite value ≥ 0.</summary>
    public static double NonNegative(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number ≥ 0.");
        return value;
    }

    /// <summary>A finite value &gt; 0.</summary>
    public static double Positive(double value, string paramName)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number > 0.");
        return value;
    }

    /// <summary>A finite value in the open interval (0, 1).</summary>
    public static double OpenUnit(double value, string paramName)
    {
        if (!double.IsFinite(value) || value <= 0 || value >= 1)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must lie in (0, 1).");
        return value;
    }

    /// <summary>An integer ≥ <paramref name="minimum"/>.</summary>
    public static int AtLeast(int value, int minimum, string paramName)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be ≥ {minimum}.");
        return value;
    }

    /// <summary>A non-null reference.</summary>
    public static T NotNull<T>(T? value, string paramName) where T : class
        => value ?? throw new ArgumentNullException(paramName);
}
