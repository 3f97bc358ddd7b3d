using DipDefense.Baselines;

namespace DipDefense.Tests.Baselines;

public class MedianSmoothingTests
{
    // 1…9 / 10 in one channel and 9…1 / 10 in the other.
    private static Tensor Digits()
    {
        float[] up = [.. Enumerable.Range(1, 9).Select(v => v / 10f)];
        return tensor([.. up, .. up.Reverse()], [1, 2, 3, 3]);
    }

    private static float[] Tenths(params int[] digits) => [.. digits.Select(v => v / 10f)];

    private static float[] Smooth(int window, Tensor images)
    {
        using var result = new MedianSmoothing(new MedianSmoothingOptions { WindowSize = window }).Purify(images);
        Assert.Equal(images.shape, result.Purified.shape);
        return result.Purified.data<float>().ToArray();
    }

    [Fact]
    public void ThreeByThreeWindowWithHalfSampleReflectedBorders()
    {
        // SciPy median_filter(size 3, mode "reflect") of [[1,2,3],[4,5,6],[7,8,9]] is [[2,3,3],[4,5,6],[7,7,8]]
        // (the border pixel repeats: the corner window is 1 1 2 / 1 1 2 / 4 4 5); the reversed channel mirrors it.
        using var images = Digits();
        Assert.Equal(Tenths(2, 3, 3, 4, 5, 6, 7, 7, 8, 8, 7, 7, 6, 5, 4, 3, 3, 2), Smooth(3, images));
    }

    [Fact]
    public void EvenWindowLooksUpAndLeftAndTakesTheUpperMedian()
    {
        // 2×2: output (i, j) is the upper median of rows i−1…i and columns j−1…j (borders reflected), e.g. at the centre
        // median(1, 2, 4, 5) = 4 (the lower median would be 2).
        using var images = Digits();
        Assert.Equal(Tenths(1, 2, 3, 4, 4, 5, 7, 7, 8, 9, 9, 8, 9, 8, 7, 6, 5, 4), Smooth(2, images));
    }

    [Fact]
    public void WindowOfOneIsTheIdentityAndWindowsLargerThanTheImageWork()
    {
        using var images = Digits();
        Assert.Equal(images.data<float>().ToArray(), Smooth(1, images));
        // 7×7 on 3×3 keeps mirroring; a constant image stays constant.
        using var constant = full([1, 1, 3, 3], 0.25f);
        Assert.All(Smooth(7, constant), v => Assert.Equal(0.25f, v));
        Assert.Equal(18, Smooth(7, images).Length);
    }

    [Fact]
    public void BpdaSubstituteIsTheFilterItself()
    {
        var median = new MedianSmoothing();
        using var images = Digits();
        using var x = images.clone().requires_grad_(true);
        using var filtered = median.EstimateForward(x);
        using var purified = median.Purify(images);
        Assert.True(filtered.detach().equal(purified.Purified).all().item<bool>());

        // Every output pixel selects one input pixel, so the gradient of the sum counts how often each is selected.
        using var sum = filtered.sum();
        using var gradient = torch.autograd.grad([sum], [x])[0];
        using var total = gradient.sum();
        Assert.Equal(18f, total.item<float>());
        Assert.True(gradient.ge(0).all().item<bool>());
    }

    [Fact]
    public void DefaultsAndValidation()
    {
        var median = new MedianSmoothing();
        Assert.Equal(3, median.Options.WindowSize);
        Assert.Equal("median", median.Name);
        Assert.False(median.IsRandomized);
        Assert.Same(median, median.WithSeed(1));
        var ex = Assert.Throws<ArgumentException>(() => new MedianSmoothing(new MedianSmoothingOptions { WindowSize = 0 }));
        Assert.Equal("options", ex.ParamName);
        Assert.Contains("WindowSize must be at least 1; got 0", ex.Message);
    }
}
