using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Data;

/// <summary>
/// The one conversion between 8-bit pixels and float32 tensors in [0, 1]: bytes are divided by 255 on reading,
/// and values are quantised to the nearest of round(x * 255) clamped to [0, 255] on writing.
/// </summary>
internal static class PixelConversion
{
    static readonly float[] ByteToUnit = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>A float32 tensor of the given shape holding <paramref name="pixels"/> / 255.</summary>
    public static Tensor ToTensor(ReadOnlySpan<byte> pixels, long[] shape)
    {
        var values = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
            values[i] = ByteToUnit[pixels[i]];
        return torch.tensor(values, shape);
    }

    /// <summary>The quantised pixels of <paramref name="images"/> (any shape, any device) in row-major order.</summary>
    public static byte[] ToBytes(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        // Explicit scalars held past the calls (purifiers run this on worker threads; see DipAdam on temporary scalars).
        using var scale = 255f.ToScalar();
        using var zero = 0.ToScalar();
        using var top = 255.ToScalar();
        var quantised = images.detach().cpu().to(ScalarType.Float32)
            .mul(scale).round_().clamp_(zero, top).to(ScalarType.Byte).contiguous();
        return quantised.data<byte>().ToArray();
    }

    /// <summary>The labels of an int64 tensor as an array.</summary>
    public static long[] Labels(Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        return labels.detach().cpu().to(ScalarType.Int64).contiguous().data<long>().ToArray();
    }

    /// <summary>An int64 tensor [N] of <paramref name="labels"/>.</summary>
    public static Tensor LabelTensor(long[] labels) => torch.tensor(labels, new long[] { labels.Length });

    /// <summary>
    /// A dataset of the 8-bit <paramref name="pixels"/> (row-major <paramref name="shape"/> [N, C, H, W]) and
    /// <paramref name="labels"/>; no tensor is left behind when the dataset's checks fail.
    /// </summary>
    public static ImageDataset ToDataset(ReadOnlySpan<byte> pixels, long[] shape, long[] labels, IReadOnlyList<string> classNames)
    {
        using var scope = torch.NewDisposeScope();
        var images = ToTensor(pixels, shape);
        var labelTensor = LabelTensor(labels);
        var data = new ImageDataset(images, labelTensor, classNames);
        images.MoveToOuterDisposeScope();
        labelTensor.MoveToOuterDisposeScope();
        return data;
    }
}
