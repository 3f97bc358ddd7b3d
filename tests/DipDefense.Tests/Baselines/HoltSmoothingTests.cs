using DipDefense.Baselines;

namespace DipDefense.Tests.Baselines;

public class HoltSmoothingTests
{
    // λ = 0.5 by hand: s0 = 0, b0 = 2; s1 = 2, b1 = 2; s2 = 3.5, b2 = 1.75; s3 = 3.125, b3 = 0.6875;
    // s4 = 1.90625, b4 = −0.265625; s5 = 0.5·4 + 0.5·(1.90625 − 0.265625) = 2.8203125.
    private static readonly double[] Series = [0, 2, 3, 1, 0, 4];

    [Fact]
    public void SmoothsWithLevelAndTrend()
    {
        Assert.Equal([0, 2, 3.5, 3.125, 1.90625, 2.8203125], HoltSmoothing.Smooth(Series, 0.5));
    }

    [Fact]
    public void PeakIsTheLastNewMaximumOfTheSmoothedSeriesNotOfTheRawOne()
    {
        // The raw series peaks at t = 5 (4 dB); the smoothed one at t = 2 (3.5) and never exceeds it again.
        Assert.Equal(2, HoltSmoothing.PeakIndex(Series, 0.5));
        // λ = 1 is no smoothing: the last strict running maximum of the series itself.
        Assert.Equal(5, HoltSmoothing.PeakIndex(Series, 1));
        Assert.Equal(1, HoltSmoothing.PeakIndex([0, 2, 2, 1], 1)); // a tie is not a new maximum
    }

    [Fact]
    public void AFallingSeriesPeaksAtTheFirstValue()
    {
        Assert.Equal(0, HoltSmoothing.PeakIndex([3, 2, 1], 0.002));
        Assert.Equal(0, HoltSmoothing.PeakIndex([7], 0.002));
        Assert.Equal([7.0], HoltSmoothing.Smooth([7], 0.002));
    }

    [Fact]
    public void RejectsAnEmptySeriesAndFactorsOutsideZeroToOne()
    {
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => HoltSmoothing.PeakIndex([], 0.5)).ParamName);
        foreach (double lambda in new[] { 0, -0.1, 1.5, double.NaN })
        {
            var ex = Assert.Throws<ArgumentException>(() => HoltSmoothing.Smooth(Series, lambda));
            Assert.Equal("lambda", ex.ParamName);
            Assert.Contains("(0, 1]", ex.Message);
        }
    }
}
