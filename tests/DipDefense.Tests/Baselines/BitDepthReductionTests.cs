using DipDefense.Baselines;
using DipDefense.Defense;

namespace DipDefense.Tests.Baselines;

public class BitDepthReductionTests
{
    private static float[] Squeeze(int bits, params float[] values)
    {
        using var images = tensor(values, [1, 1, 1, values.Length]);
        using var result = new BitDepthReduction(new BitDepthReductionOptions { Bits = bits }).Purify(images);
        Assert.Equal(ScalarType.Float32, result.Purified.dtype);
        Assert.Null(result.ImageDiagnostics);
        return result.Purified.data<float>().ToArray();
    }

    [Fact]
    public void FourBitsRoundToTheNearestOfSixteenLevelsHalfToEven()
    {
        // rint(x·15) / 15 in float64: 0.3f·15 = 4.50000018 → 5 (float32 arithmetic would give 4.5 → 4);
        // 0.5·15 = 7.5 → 8 (half to even); 0.7f·15 = 10.4999998 → 10; 0.1f·15 = 1.50000002 → 2.
        float[] actual = Squeeze(4, 0f, 0.3f, 0.5f, 0.7f, 0.1f, 1f);
        Assert.Equal([0f, (float)(5 / 15.0), (float)(8 / 15.0), (float)(10 / 15.0), (float)(2 / 15.0), 1f], actual);
    }

    [Fact]
    public void OneBitThresholdsAtOneHalfRoundingTheMidpointDown()
    {
        Assert.Equal([0f, 0f, 0f, 1f, 1f], Squeeze(1, 0f, 0.49f, 0.5f, 0.50001f, 1f));
    }

    [Fact]
    public void EightBitsLeaveEightBitImagesUnchanged()
    {
        float[] levels = [.. Enumerable.Range(0, 256).Select(k => k / 255f)];
        Assert.Equal(levels, Squeeze(8, levels));
    }

    [Fact]
    public void DefaultsAndValidation()
    {
        var squeeze = new BitDepthReduction();
        Assert.Equal(4, squeeze.Options.Bits);
        Assert.Equal("bit-depth", squeeze.Name);
        Assert.False(squeeze.IsRandomized);
        Assert.Same(squeeze, squeeze.WithSeed(3));
        using var x = rand(2, 3, 5, 5);
        Assert.Same(x, ((IPurifier)squeeze).EstimateForward(x)); // BPDA: identity

        foreach (int bits in new[] { 0, 25 })
        {
            var ex = Assert.Throws<ArgumentException>(() => new BitDepthReduction(new BitDepthReductionOptions { Bits = bits }));
            Assert.Equal("options", ex.ParamName);
            Assert.Contains($"Bits must lie in [1, 24]; got {bits}", ex.Message);
        }
    }
}
