using DipDefense.Metrics;

namespace DipDefense.Tests.Metrics;

public class ImageQualityTests
{
    private static Tensor RandomImages(int n, int c, int h, int w, ulong seed, double low = 0, double high = 1)
    {
        using var generator = new Generator(seed);
        using var unit = rand([n, c, h, w], generator: generator);
        return unit * (high - low) + low;
    }

    [Fact]
    public void SsimOfIdenticalImagesIsOne()
    {
        using var x = RandomImages(3, 3, 32, 32, 1);
        using var ssim = ImageQuality.Ssim(x, x);
        Assert.Equal(new long[] { 3 }, ssim.shape);
        Assert.Equal(ScalarType.Float32, ssim.dtype);
        foreach (float v in ssim.data<float>())
            Assert.Equal(1.0, v, 1e-6);
    }

    [Theory]
    [InlineData(0.3, 0.7)]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.52)]
    public void SsimOfConstantImagesIsTheLuminanceTerm(double a, double b)
    {
        using var x = full([2, 3, 16, 20], a);
        using var y = full([2, 3, 16, 20], b);
        double expected = (2 * a * b + ImageQuality.SsimC1) / (a * a + b * b + ImageQuality.SsimC1);

        using var ssim = ImageQuality.Ssim(x, y);
        foreach (float v in ssim.data<float>())
            Assert.Equal(expected, v, 1e-6);
    }

    [Fact]
    public void SsimOfAShiftedRandomImageMatchesAPlainLoopImplementation()
    {
        // y = x + 0.2: equal local variances and covariance = variance, so only the luminance term and the
        // structure/contrast term (2σ² + C2)/(2σ² + C2) = 1 remain; the loop reference computes all of it.
        using var x = RandomImages(2, 2, 16, 18, 7, 0, 0.8);
        using var y = x + 0.2;
        using var ssim = ImageQuality.Ssim(x, y);
        using var psnr = ImageQuality.Psnr(x, y);

        for (int n = 0; n < 2; n++)
        {
            using var xn = x[n];
            using var yn = y[n];
            double expected = ReferenceSsim.Compute(ToArray(xn), ToArray(yn));
            Assert.Equal(expected, ssim[n].item<float>(), 1e-5);
            Assert.Equal(-10 * Math.Log10(0.04), psnr[n].item<float>(), 1e-3);
        }
    }

    [Fact]
    public void SsimOfUnrelatedImagesMatchesThePlainLoopImplementation()
    {
        using var x = RandomImages(1, 3, 13, 12, 8);
        using var y = RandomImages(1, 3, 13, 12, 9);
        using var ssim = ImageQuality.Ssim(x, y);
        using var x0 = x[0];
        using var y0 = y[0];
        Assert.Equal(ReferenceSsim.Compute(ToArray(x0), ToArray(y0)), ssim[0].item<float>(), 1e-5);
    }

    [Fact]
    public void SsimOfABatchLargerThanOneSliceMatchesThePlainLoopImplementationOnEveryImage()
    {
        // 100 CIFAR-sized images are computed in more than one slice; images on both sides of a slice boundary must
        // get their own SSIM, in order.
        using var x = RandomImages(100, 3, 32, 32, 10);
        using var y = RandomImages(100, 3, 32, 32, 11);
        using var ssim = ImageQuality.Ssim(x, y);
        Assert.Equal(new long[] { 100 }, ssim.shape);
        foreach (int n in new[] { 0, 84, 85, 86, 99 })
        {
            using var xn = x[n];
            using var yn = y[n];
            Assert.Equal(ReferenceSsim.Compute(ToArray(xn), ToArray(yn)), ssim[n].item<float>(), 1e-5);
        }
    }

    [Fact]
    public void PsnrOfAKnownErrorAndOfIdenticalImages()
    {
        using var x = full([2, 3, 8, 8], 0.4);
        using var y = full([2, 3, 8, 8], 0.5); // difference 0.1 everywhere: MSE 0.01, 20 dB
        using var psnr = ImageQuality.Psnr(x, y);
        Assert.Equal(new long[] { 2 }, psnr.shape);
        foreach (float v in psnr.data<float>())
            Assert.Equal(20.0, v, 1e-4);

        using var same = ImageQuality.Psnr(x, x);
        Assert.All(same.data<float>().ToArray(), v => Assert.True(float.IsPositiveInfinity(v)));
    }

    [Fact]
    public void MetricsNeedNoGradientAndLeaveInputsAlone()
    {
        using var x = RandomImages(1, 1, 12, 12, 3).requires_grad_(true);
        using var y = RandomImages(1, 1, 12, 12, 4);
        using var ssim = ImageQuality.Ssim(x, y);
        using var psnr = ImageQuality.Psnr(x, y);
        Assert.False(ssim.requires_grad);
        Assert.False(psnr.requires_grad);
    }

    public static TheoryData<string, Func<Tensor>, Func<Tensor>> InvalidPairs() => new()
    {
        { "x", () => rand(3, 16, 16), () => rand(3, 16, 16) },
        { "y", () => rand(1, 3, 16, 16), () => rand(1, 3, 16, 17) },
        { "x", () => rand(1, 3, 16, 16) + 1.5, () => rand(1, 3, 16, 16) },
        { "y", () => rand(1, 3, 16, 16), () => rand(1, 3, 16, 16) - 1 },
        { "x", () => zeros([1, 3, 16, 16], ScalarType.Int32), () => rand(1, 3, 16, 16) },
        { "y", () => rand(1, 3, 16, 16), () => full([1, 3, 16, 16], double.NaN) },
    };

    [Theory]
    [MemberData(nameof(InvalidPairs))]
    public void InvalidInputsAreRejectedNamingTheParameter(string parameter, Func<Tensor> makeX, Func<Tensor> makeY)
    {
        using var x = makeX();
        using var y = makeY();
        Assert.Equal(parameter, Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(x, y)).ParamName);
        Assert.Equal(parameter, Assert.Throws<ArgumentException>(() => ImageQuality.Psnr(x, y)).ParamName);
    }

    [Fact]
    public void SsimRejectsImagesSmallerThanTheWindow()
    {
        using var x = rand(1, 1, 10, 32);
        var ex = Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(x, x));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("11", ex.Message);
    }

    private static float[,,] ToArray(Tensor image)
    {
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        var values = image.contiguous().data<float>().ToArray();
        var result = new float[c, h, w];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }
}
