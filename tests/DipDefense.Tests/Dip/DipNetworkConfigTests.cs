using DipDefense.Dip;

namespace DipDefense.Tests.Dip;

public class DipNetworkConfigTests
{
    [Fact]
    public void PresetsMatchTheMethodTable()
    {
        AssertPreset(DipNetworkConfig.Small, [16, 16], [2, 2], [4, 4]);
        AssertPreset(DipNetworkConfig.Medium, [32, 32, 32], [3, 3, 3], [3, 3, 3]);
        AssertPreset(DipNetworkConfig.Large, [48, 48, 48, 48], [4, 4, 4, 4], [4, 4, 4, 4]);
        AssertPreset(DipNetworkConfig.ImageNet, [64, 64, 64, 64, 64], [3, 3, 3, 3, 3], [4, 4, 4, 4, 4]);
        Assert.Equal(DipNetworkConfig.Medium, new DipNetworkConfig());
    }

    private static void AssertPreset(DipNetworkConfig config, int[] channels, int[] kernels, int[] skip)
    {
        Assert.Equal(channels, config.Channels);
        Assert.Equal(kernels, config.Kernels);
        Assert.Equal(skip, config.SkipChannels);
        Assert.Equal(1, config.SkipKernel);
        Assert.Equal(DipUpsampling.Bilinear, config.Upsampling);
        Assert.Equal(DipPadding.Reflection, config.Padding);
        Assert.Equal(32, config.NoiseChannels);
        Assert.Equal(0.1, config.NoiseScale);
        Assert.Equal(0.2, config.LeakySlope);
        config.Validate();
    }

    [Theory]
    [InlineData("small")]
    [InlineData("Medium")]
    [InlineData(" LARGE ")]
    [InlineData("imagenet")]
    public void FromNameFindsEveryPreset(string name)
    {
        var expected = name.Trim().ToLowerInvariant() switch
        {
            "small" => DipNetworkConfig.Small,
            "medium" => DipNetworkConfig.Medium,
            "large" => DipNetworkConfig.Large,
            _ => DipNetworkConfig.ImageNet,
        };
        Assert.Same(expected, DipNetworkConfig.FromName(name));
    }

    [Fact]
    public void FromNameRejectsUnknownNamesListingTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => DipNetworkConfig.FromName("huge"));
        Assert.Equal("name", ex.ParamName);
        foreach (var preset in DipNetworkConfig.PresetNames)
            Assert.Contains(preset, ex.Message);
    }

    [Fact]
    public void EqualityComparesListsByValue()
    {
        var a = DipNetworkConfig.Medium with { Channels = [8, 8, 8] };
        var b = DipNetworkConfig.Medium with { Channels = new List<int> { 8, 8, 8 } };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DipNetworkConfig.Medium);
    }

    public static TheoryData<string, DipNetworkConfig> InvalidConfigs() => new()
    {
        { "Channels", DipNetworkConfig.Medium with { Channels = [] } },
        { "Kernels", DipNetworkConfig.Medium with { Kernels = [3, 3] } },
        { "SkipChannels", DipNetworkConfig.Medium with { SkipChannels = [3, 3, 3, 3] } },
        { "Channels[1]", DipNetworkConfig.Medium with { Channels = [32, 0, 32] } },
        { "Kernels[2]", DipNetworkConfig.Medium with { Kernels = [3, 3, -1] } },
        { "SkipChannels[0]", DipNetworkConfig.Medium with { SkipChannels = [-1, 3, 3] } },
        { "SkipKernel", DipNetworkConfig.Medium with { SkipKernel = 0 } },
        { "NoiseChannels", DipNetworkConfig.Medium with { NoiseChannels = 0 } },
        { "NoiseScale", DipNetworkConfig.Medium with { NoiseScale = double.NaN } },
        { "LeakySlope", DipNetworkConfig.Medium with { LeakySlope = -0.1 } },
        { "Padding", DipNetworkConfig.Medium with { Padding = (DipPadding)7 } },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void ValidateNamesTheBadField(string field, DipNetworkConfig config)
    {
        var ex = Assert.Throws<ArgumentException>(() => config.Validate("network"));
        Assert.Equal("network", ex.ParamName);
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void GeneratorRejectsAnInvalidConfig()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DipGenerator(DipNetworkConfig.Medium with { Kernels = [3] }, 3, [1L]));
        Assert.Equal("config", ex.ParamName);
        Assert.Contains("Kernels", ex.Message);
    }
}
