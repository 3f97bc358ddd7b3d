using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Metrics;

/// <summary>Checks that two image batches can be compared: same shape [N, C, H, W], floating point, values in [0, 1].</summary>
internal static class ImagePairValidation
{
    public static void Check(Tensor x, Tensor y, string xName, string yName, long minSide = 1)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        CheckOne(x, xName, minSide);
        CheckOne(y, yName, minSide);
        if (!x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"{yName} must have the shape of {xName} [{string.Join(", ", x.shape)}]; got [{string.Join(", ", y.shape)}].", yName);
        if (x.device_type != y.device_type || x.device_index != y.device_index)
            throw new ArgumentException($"{yName} must be on the device of {xName} ({x.device}); got {y.device}.", yName);
    }

    private static void CheckOne(Tensor t, string name, long minSide)
    {
        if (t.dim() != 4 || !t.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor [N, C, H, W]; got {t.dtype} [{string.Join(", ", t.shape)}].", name);
        if (t.shape[0] == 0 || t.shape[1] == 0)
            throw new ArgumentException($"{name} must hold at least one image with one channel; got [{string.Join(", ", t.shape)}].", name);
        if (t.shape[2] < minSide || t.shape[3] < minSide)
            throw new ArgumentException($"{name} must be at least {minSide}×{minSide} pixels; got {t.shape[2]}×{t.shape[3]}.", name);
        using (no_grad())
        using (NewDisposeScope())
        {
            double min = t.min().to(ScalarType.Float64).item<double>(), max = t.max().to(ScalarType.Float64).item<double>();
            if (!(min >= 0 && max <= 1))
                throw new ArgumentException($"{name} must lie in [0, 1]; found [{min}, {max}].", name);
        }
    }
}
