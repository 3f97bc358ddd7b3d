using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Tests.Dip;

namespace DipDefense.Tests.Defense;

/// <summary>What every <see cref="IPurifier"/> of the library promises, checked on each (DIP ones with tiny traces).</summary>
[Collection(DipFitsCollection.Name)]
public class PurifierContractTests
{
    public static TheoryData<string> Names => ["identity", "bit-depth", "median", "jpeg", "dipdefend", "dip-decision"];

    private static IPurifier Create(string name) => name switch
    {
        "identity" => new IdentityPurifier(),
        "bit-depth" => new BitDepthReduction(),
        "median" => new MedianSmoothing(),
        "jpeg" => new JpegCompression(),
        "dipdefend" => new DipDefendPurifier(new DipDefendOptions { Iterations = 10 }),
        "dip-decision" => new DecisionSpacePurifier(new BrightnessBinsClassifier(), new PurifierOptions
        {
            Trace = new DipTraceOptions { Iterations = 20, Snapshots = 10, Network = DipNetworkConfig.Small },
            WarmUp = 2,
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void KeepsShapeDtypeDeviceAndRangeAndLeavesOnlyItsResult(string name)
    {
        var purifier = Create(name);
        Assert.Equal(name, purifier.Name);
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        using var scope = NewDisposeScope();
        var result = purifier.Purify(images);
        Assert.Equal(1, scope.DisposablesCount);
        Assert.Equal(images.shape, result.Purified.shape);
        Assert.Equal(ScalarType.Float32, result.Purified.dtype);
        Assert.Equal((images.device_type, images.device_index), (result.Purified.device_type, result.Purified.device_index));
        Assert.False(result.Purified.requires_grad);
        using (NewDisposeScope())
            Assert.True(result.Purified.min().item<float>() >= 0 && result.Purified.max().item<float>() <= 1);
        Assert.True(result.ImageDiagnostics is null || result.ImageDiagnostics.Count == 2);
        result.Dispose();
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DeclaresItsRandomness(string name)
    {
        var purifier = Create(name);
        var reseeded = purifier.WithSeed(1234);
        if (!purifier.IsRandomized)
        {
            Assert.Same(purifier, reseeded);
            return;
        }
        Assert.NotSame(purifier, reseeded);
        Assert.True(reseeded.IsRandomized);
        using var images = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var first = purifier.Purify(images);
        using var again = purifier.Purify(images);
        using var other = reseeded.Purify(images);
        Assert.True(first.Purified.equal(again.Purified).all().item<bool>(), "one seed, one result");
        Assert.False(first.Purified.equal(other.Purified).all().item<bool>(), "another seed, another draw");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RejectsInvalidImagesNamingThem(string name)
    {
        var purifier = Create(name);
        using var ints = zeros([1, 3, 16, 16], ScalarType.Int32);
        using var rank3 = zeros([3, 16, 16]);
        using var outOfRange = full([1, 3, 16, 16], 1.5f);
        using var nan = full([1, 3, 16, 16], float.NaN);
        using var empty = zeros([0, 3, 16, 16]);
        foreach (var bad in new[] { ints, rank3, outOfRange, nan, empty })
            Assert.Equal("images", Assert.Throws<ArgumentException>(() => purifier.Purify(bad)).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentNullException>(() => purifier.Purify(null!)).ParamName);
    }
}
