namespace DipDefense.Tests.Dip;

/// <summary>Small deterministic test images.</summary>
internal static class SyntheticImages
{
    /// <summary>
    /// [count, channels, height, width] in [0, 1]: a smooth diagonal gradient (different per image and
    /// channel) plus a bright square, a "real-looking" target with structure at two scales.
    /// </summary>
    public static Tensor GradientWithSquare(int count, int channels, int height, int width)
    {
        var data = new float[count * channels * height * width];
        int i = 0;
        for (int n = 0; n < count; n++)
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        double gradient = 0.15 + 0.5 * (x + (n + 1) * y) / ((double)(width + (n + 1) * height)) + 0.1 * c / channels;
                        bool inSquare = y >= height / 4 + n && y < height / 2 + n && x >= width / 3 && x < width / 3 + height / 4;
                        data[i++] = (float)(inSquare ? 0.95 - 0.1 * c / channels : gradient);
                    }
        return tensor(data, [count, channels, height, width]);
    }
}
