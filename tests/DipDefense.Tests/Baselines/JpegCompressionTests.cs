using DipDefense.Baselines;
using DipDefense.Tests.Dip;

namespace DipDefense.Tests.Baselines;

public class JpegCompressionTests
{
    private static PurifierResultSummary Compress(Tensor images, int quality)
    {
        using var result = new JpegCompression(new JpegCompressionOptions { Quality = quality }).Purify(images);
        var output = result.Purified;
        Assert.Equal(images.shape, output.shape);
        Assert.Equal(ScalarType.Float32, output.dtype);
        Assert.True(output.min().item<float>() >= 0 && output.max().item<float>() <= 1);
        using var levels = output.mul(255);
        using var offGrid = (levels - levels.round()).abs().max();
        Assert.True(offGrid.item<float>() < 1e-4f, "JPEG output must be 8-bit levels k/255");
        using var difference = (output - images).abs();
        return new(difference.max().item<float>() * 255, difference.mean().item<float>() * 255, output.data<float>().ToArray());
    }

    private sealed record PurifierResultSummary(float MaxDiff255, float MeanDiff255, float[] Values);

    [Fact]
    public void QualityOneHundredIsNearlyTheIdentity()
    {
        // Grey and neutral RGB (R = G = B, no chroma): within 2/255 everywhere.
        using var grey = SyntheticImages.GradientWithSquare(2, 1, 32, 32);
        using var neutral = grey.expand(2, 3, 32, 32).contiguous();
        foreach (var images in new[] { grey, neutral })
        {
            var summary = Compress(images, 100);
            Assert.True(summary.MaxDiff255 <= 2, $"quality 100 changed a value by {summary.MaxDiff255}/255");
            Assert.True(summary.MeanDiff255 <= 0.5, $"quality 100 changed values by {summary.MeanDiff255}/255 on average");
        }
        // Coloured: 4:2:0 chroma subsampling (PIL's default too) blurs the colour edges of the square by up to ~10/255.
        using var rgb = SyntheticImages.GradientWithSquare(2, 3, 32, 32);
        var coloured = Compress(rgb, 100);
        Assert.True(coloured.MaxDiff255 <= 12, $"quality 100 changed a value by {coloured.MaxDiff255}/255");
        Assert.True(coloured.MeanDiff255 <= 1, $"quality 100 changed values by {coloured.MeanDiff255}/255 on average");
    }

    [Fact]
    public void QualityTenChangesTheImage()
    {
        using var rgb = SyntheticImages.GradientWithSquare(2, 3, 32, 32);
        var summary = Compress(rgb, 10);
        Assert.True(summary.MeanDiff255 > 2, $"quality 10 changed values by only {summary.MeanDiff255}/255 on average");
        Assert.True(Compress(rgb, 10).Values.SequenceEqual(summary.Values), "JPEG must be deterministic");
    }

    [Fact]
    public void OtherChannelCountsAreCompressedOneChannelAtATimeAsGrey()
    {
        using var two = SyntheticImages.GradientWithSquare(1, 2, 24, 20);
        var together = Compress(two, 30).Values;
        using var first = two.narrow(1, 0, 1).contiguous();
        using var second = two.narrow(1, 1, 1).contiguous();
        Assert.Equal([.. Compress(first, 30).Values, .. Compress(second, 30).Values], together);
        Assert.True(Compress(first, 30).MeanDiff255 > 0.1);
    }

    [Fact]
    public void DefaultsAndValidation()
    {
        var jpeg = new JpegCompression();
        Assert.Equal(75, jpeg.Options.Quality);
        Assert.Equal("jpeg", jpeg.Name);
        Assert.False(jpeg.IsRandomized);
        Assert.Same(jpeg, jpeg.WithSeed(2));
        foreach (int quality in new[] { 0, 101 })
        {
            var ex = Assert.Throws<ArgumentException>(() => new JpegCompression(new JpegCompressionOptions { Quality = quality }));
            Assert.Equal("options", ex.ParamName);
            Assert.Contains($"Quality must lie in [1, 100]; got {quality}", ex.Message);
        }
    }
}
