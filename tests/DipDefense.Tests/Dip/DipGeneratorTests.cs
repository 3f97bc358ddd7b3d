using DipDefense.Dip;

namespace DipDefense.Tests.Dip;

public class DipGeneratorTests
{
    public static TheoryData<string, int, int, int> PresetShapes() => new()
    {
        { "small", 3, 32, 32 },
        { "medium", 3, 32, 32 },
        { "large", 3, 32, 32 },
        { "imagenet", 3, 64, 64 },
        { "medium", 1, 28, 28 },
        { "medium", 3, 30, 34 },
        { "small", 1, 28, 28 },
        { "large", 3, 30, 34 },
        { "imagenet", 1, 28, 28 },
        { "medium", 2, 5, 7 },
    };

    [Theory]
    [MemberData(nameof(PresetShapes))]
    public void OutputHasTheImageShapeAndLiesInZeroOne(string preset, int channels, int height, int width)
    {
        var config = DipNetworkConfig.FromName(preset);
        using var scope = NewDisposeScope();
        using var generator = new DipGenerator(config, channels, [3L, 4L]);
        var noise = rand(2, config.NoiseChannels, height, width) * 0.1;

        var output = generator.call(noise);

        Assert.Equal(new long[] { 2, channels, height, width }, output.shape);
        Assert.True(output.min().item<float>() > 0f);
        Assert.True(output.max().item<float>() < 1f);
        Assert.False(output.isnan().any().item<bool>());
        Assert.True(output.requires_grad);
    }

    [Fact]
    public void ZeroPaddingAndNoSkipAndNearestUpsamplingAlsoWork()
    {
        var config = DipNetworkConfig.Medium with { Channels = [4, 8, 16], SkipChannels = [0, 0, 0], Padding = DipPadding.Zeros, Upsampling = DipUpsampling.Nearest, NoiseChannels = 1 };
        using var scope = NewDisposeScope();
        using var generator = new DipGenerator(config, 3, [0L]);
        var output = generator.call(rand(1, 1, 20, 20) * 0.1);
        Assert.Equal(new long[] { 1, 3, 20, 20 }, output.shape);
    }

    [Fact]
    public void StackedNetworksEqualSeparatelyBuiltOnes()
    {
        var config = DipNetworkConfig.Medium;
        long[] seeds = [11, 12, 13];
        using var scope = NewDisposeScope();
        using var random = new Generator(99);
        var noise = rand([3, config.NoiseChannels, 16, 16], generator: random) * 0.1;

        using var batched = new DipGenerator(config, 3, seeds);
        var together = batched.call(noise);
        for (int b = 0; b < seeds.Length; b++)
        {
            using var single = new DipGenerator(config, 3, [seeds[b]]);
            var alone = single.call(noise.narrow(0, b, 1));
            // One matrix product per network: the same float32 arithmetic whatever B is (bit-identical on this CPU).
            float difference = (alone - together.narrow(0, b, 1)).abs().max().item<float>();
            Assert.True(difference <= 1e-6f, $"network {b} differs by {difference}");
        }
    }

    [Fact]
    public void SameSeedGivesSameWeightsAndDifferentSeedDifferentOnes()
    {
        using var a = new DipGenerator(DipNetworkConfig.Small, 3, [5L]);
        using var b = new DipGenerator(DipNetworkConfig.Small, 3, [5L]);
        using var c = new DipGenerator(DipNetworkConfig.Small, 3, [6L]);
        using var scope = NewDisposeScope();
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        var pc = c.parameters().ToArray();
        Assert.Equal(pa.Length, pb.Length);
        Assert.True(pa.Zip(pb).All(p => p.First.allclose(p.Second, 0, 0)));
        Assert.False(pa.Zip(pc).All(p => p.First.allclose(p.Second, 0, 0)));
    }

    [Fact]
    public void ParametersHaveTheGroupedLayout()
    {
        // Small preset, 2 networks, 3 image channels: levels of 16 channels, 4 skip channels, kernel 2.
        using var generator = new DipGenerator(DipNetworkConfig.Small, 3, [1L, 2L]);
        var shapes = generator.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new long[] { 2 * 4, 32, 1, 1 }, shapes["levels.skip.conv.weight"]);
        Assert.Equal(new long[] { 2 * 16, 32, 2, 2 }, shapes["levels.down1.conv.weight"]);
        Assert.Equal(new long[] { 2 * 16, 4 + 16, 2, 2 }, shapes["levels.up.conv.weight"]);
        Assert.Equal(new long[] { 2 * 3, 16, 1, 1 }, shapes["output.weight"]);
        Assert.Equal(new long[] { 2 * 3 }, shapes["output.bias"]);
    }

    [Fact]
    public void ForwardRejectsNoiseOfTheWrongShape()
    {
        using var generator = new DipGenerator(DipNetworkConfig.Small, 3, [1L, 2L]);
        using var wrongBatch = rand(1, 32, 8, 8);
        using var wrongChannels = rand(2, 3, 8, 8);
        using var wrongRank = rand(32, 8, 8);
        foreach (var input in new[] { wrongBatch, wrongChannels, wrongRank })
            Assert.Equal("input", Assert.Throws<ArgumentException>(() => generator.call(input)).ParamName);
    }

    [Fact]
    public void ConstructorRejectsBadArguments()
    {
        Assert.Equal("imageChannels", Assert.Throws<ArgumentException>(() => new DipGenerator(DipNetworkConfig.Small, 0, [1L])).ParamName);
        Assert.Equal("seeds", Assert.Throws<ArgumentException>(() => new DipGenerator(DipNetworkConfig.Small, 3, Array.Empty<long>())).ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void GradientsMatchADoublePrecisionComputation(int networks)
    {
        // Guards the convolution kernels this platform's libtorch picks for the generator (some of its float32 convolution
        // gradients are wrong on AVX-512 machines: docs/platform.md).
        using var scope = NewDisposeScope();
        long[] seeds = [.. Enumerable.Range(0, networks).Select(b => 40L + b)];
        using var single = new DipGenerator(DipNetworkConfig.Medium, 3, seeds);
        using var reference = new DipGenerator(DipNetworkConfig.Medium, 3, seeds);
        reference.to(ScalarType.Float64);
        using var random = new Generator(5);
        var noise = rand([networks, 32, 32, 32], generator: random) * 0.1;
        var target = rand([networks, 3, 32, 32], generator: random);

        single.call(noise).sub(target).square().sum().backward();
        reference.call(noise.to(ScalarType.Float64)).sub(target.to(ScalarType.Float64)).square().sum().backward();
        // Relative to the largest gradient of the parameter's kind (a conv bias before BatchNorm has a zero gradient).
        var pairs = single.named_parameters().Zip(reference.named_parameters()).ToArray();
        foreach (var ((name, p), (_, q)) in pairs)
        {
            string kind = name.EndsWith("weight") ? "weight" : "bias";
            double scale = pairs.Where(x => x.First.name.EndsWith(kind)).Max(x => x.Second.parameter.grad!.abs().max().item<double>());
            double error = (p.grad!.to(ScalarType.Float64) - q.grad!).abs().max().item<double>();
            Assert.True(error <= 1e-3 * scale, $"{name}: float32 gradient off by {error} (largest {kind} gradient {scale})");
        }
    }
}
