using DipDefense.Dip;
using DipDefense.Tests.Infrastructure;
using static TorchSharp.torch;

namespace DipDefense.Tests.Dip;

public class DipTraceCacheTests
{
    private static readonly DipTraceOptions Short = new() { Network = DipNetworkConfig.Small, Iterations = 8, Snapshots = 4, Seed = 7 };

    [Fact]
    public void SecondCallReturnsTheStoredTraceBitForBit()
    {
        using var dir = new TempDir();
        var cache = new DipTraceCache(dir.Path);
        using var targets = SyntheticImages.GradientWithSquare(2, 3, 16, 16);

        var (first, firstCached) = cache.GetOrRun(new DipTraceRunner(Short), targets);
        var (second, secondCached) = cache.GetOrRun(new DipTraceRunner(Short), targets);
        using (first)
        using (second)
        {
            Assert.False(firstCached);
            Assert.True(secondCached);
            Assert.Equal(new long[] { 2, 4, 3, 16, 16 }, second.shape);
            Assert.True(first.eq(second).all().item<bool>(), "the cached trace differs from the computed one");
        }
        Assert.Single(Directory.GetFiles(dir.Path, "*.trace"));
    }

    [Fact]
    public void OtherSeedsOrOtherPixelsAreNotServedFromTheCache()
    {
        using var dir = new TempDir();
        var cache = new DipTraceCache(dir.Path);
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var changed = targets.clone();
        changed[0, 0, 0, 0] = tensor(0.5f);

        var (a, _) = cache.GetOrRun(new DipTraceRunner(Short), targets);
        var (b, bCached) = cache.GetOrRun(new DipTraceRunner(Short with { Seed = 8 }), targets);
        var (c, cCached) = cache.GetOrRun(new DipTraceRunner(Short), changed);
        using (a) using (b) using (c)
        {
            Assert.False(bCached);
            Assert.False(cCached);
            Assert.False(a.eq(b).all().item<bool>(), "another seed gave the same trace");
        }
        Assert.Equal(3, Directory.GetFiles(dir.Path, "*.trace").Length);
    }

    [Fact]
    public void TheRegularisationSettingsArePartOfTheKeyButTheWorkersAreNot()
    {
        using var dir = new TempDir();
        var cache = new DipTraceCache(dir.Path);
        using var targets = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        var variants = new[]
        {
            Short with { InputNoiseStd = 0 },
            Short with { InputNoiseStd = 0.05 },
            Short with { InputNoiseStd = 0.05, OutputAveraging = 0.9 },
            Short with { InputNoiseStd = 0.05, NoiseFreeSnapshots = true },
        };
        foreach (var options in variants)
        {
            var (snapshots, cached) = cache.GetOrRun(new DipTraceRunner(options), targets);
            snapshots.Dispose();
            Assert.False(cached, $"{options} was served a trace of other settings");
        }
        var (again, againCached) = cache.GetOrRun(new DipTraceRunner(variants[1] with { Workers = 2 }), targets);
        again.Dispose();
        Assert.True(againCached, "the worker count changed the key");
        Assert.Equal(variants.Length, Directory.GetFiles(dir.Path, "*.trace").Length);
    }

    [Fact]
    public void ATruncatedEntryIsReportedWithItsPath()
    {
        using var dir = new TempDir();
        var cache = new DipTraceCache(dir.Path);
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        cache.GetOrRun(new DipTraceRunner(Short), targets).Snapshots.Dispose();
        string file = Directory.GetFiles(dir.Path, "*.trace").Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);

        var error = Assert.Throws<InvalidDataException>(() => cache.GetOrRun(new DipTraceRunner(Short), targets));
        Assert.Contains(file, error.Message);
        Assert.Contains("truncated", error.Message);
    }
}
