using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>Argument checks shared by the purifiers and the reconstruction: dtype, rank, size and range of image tensors.</summary>
internal static class ImageBatchValidation
{
    /// <summary>The smallest image side SSIM accepts (its 11×11 window).</summary>
    public const int MinSide = 11;

    /// <summary>Checks a float32 tensor of the given rank, no empty dimension, last two dimensions ≥ 11, values in [0, 1].</summary>
    public static void Check(Tensor tensor, string name, int rank, string layout)
    {
        CheckShape(tensor, name, rank, layout);
        long height = tensor.shape[rank - 2], width = tensor.shape[rank - 1];
        if (height < MinSide || width < MinSide)
            throw new ArgumentException($"{name} must be at least {MinSide}×{MinSide} pixels (the SSIM window); got {height}×{width}.", name);
        CheckRange(tensor, name);
    }

    /// <summary>The input contract of every <see cref="IPurifier"/>: float32 [N, C, H, W], no empty dimension, values in [0, 1], any size.</summary>
    public static void CheckImages(Tensor images, string name)
    {
        CheckShape(images, name, 4, "[N, C, H, W]");
        CheckRange(images, name);
    }

    private static void CheckShape(Tensor tensor, string name, int rank, string layout)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.dtype != ScalarType.Float32 || tensor.dim() != rank)
            throw new ArgumentException($"{name} must be a float32 tensor {layout}; got {tensor.dtype} [{Shape(tensor)}].", name);
        if (tensor.shape.Any(s => s == 0))
            throw new ArgumentException($"{name} must not be empty; got [{Shape(tensor)}].", name);
    }

    private static void CheckRange(Tensor tensor, string name)
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            double min = tensor.min().item<float>(), max = tensor.max().item<float>();
            if (!(min >= 0 && max <= 1))
                throw new ArgumentException($"{name} must lie in [0, 1]; found [{min}, {max}].", name);
        }
    }

    /// <summary>Checks that <paramref name="tensor"/> is on <paramref name="device"/>.</summary>
    public static void CheckDevice(Tensor tensor, string name, Device device, string otherName)
    {
        if (tensor.device_type != device.type || tensor.device_index != device.index)
            throw new ArgumentException($"{name} must be on the device of {otherName} ({device}); got {tensor.device}.", name);
    }

    public static string Shape(Tensor tensor) => string.Join(", ", tensor.shape);
}
