using DipDefense.Data;

namespace DipDefense.Tests.Data;

/// <summary>Random datasets and comparisons for the reader/writer tests.</summary>
public static class DataAssert
{
    /// <summary>Half a quantisation step, plus float slack: the most a written-and-read pixel may move.</summary>
    public const float HalfStep = 0.5f / 255f + 1e-6f;

    /// <summary>A dataset of uniform random pixels in [0, 1] and random labels in [0, classNames.Length).</summary>
    public static ImageDataset Random(int n, int c, int h, int w, string[] classNames, int seed = 1)
    {
        using var generator = new torch.Generator((ulong)seed);
        var images = torch.rand([n, c, h, w], generator: generator);
        var labels = torch.randint(classNames.Length, [n], generator: generator);
        return new ImageDataset(images, labels, classNames);
    }

    /// <summary>Asserts the largest absolute difference of two tensors is at most <paramref name="tolerance"/>.</summary>
    public static void Close(Tensor expected, Tensor actual, float tolerance = HalfStep)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        float maxDiff = (expected - actual).abs().max().item<float>();
        Assert.True(maxDiff <= tolerance, $"largest difference {maxDiff} exceeds {tolerance}");
    }

    /// <summary>The labels as an array.</summary>
    public static long[] Labels(ImageDataset data) => data.Labels.data<long>().ToArray();

    /// <summary>Asserts every pixel is a multiple of 1/255 within float error (the read side divides bytes by 255).</summary>
    public static void OnByteGrid(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var scaled = images * 255f;
        float offGrid = (scaled - scaled.round()).abs().max().item<float>();
        Assert.True(offGrid < 1e-3f, $"pixels are off the 1/255 grid by up to {offGrid / 255f}");
    }
}
