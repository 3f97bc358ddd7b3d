using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Metrics;
using DipDefense.Tests.Defense;
using DipDefense.Tests.Dip;

namespace DipDefense.Tests.Baselines;

/// <summary>DIPDefend with its reference network on tiny images and T = 40.</summary>
[Collection(DipFitsCollection.Name)]
public class DipDefendPurifierTests
{
    private sealed class Recorder : IProgress<PurificationProgress>
    {
        public List<PurificationProgress> Reports { get; } = [];

        public void Report(PurificationProgress value) => Reports.Add(value);
    }

    private static readonly DipDefendOptions Tiny = new() { Iterations = 40, Seed = 11, BatchSize = 2 };

    private static PurifierResult<DipDefendDiagnostics> Purify(DipDefendOptions options, Tensor images, IProgress<PurificationProgress>? progress = null) =>
        (PurifierResult<DipDefendDiagnostics>)new DipDefendPurifier(options).Purify(images, progress);

    [Fact]
    public void ReturnsTheOutputOfTheSmoothedPsnrPeakInRange()
    {
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        var recorder = new Recorder();
        using var result = Purify(Tiny, images, recorder);

        Assert.Equal(images.shape, result.Purified.shape);
        Assert.Equal(ScalarType.Float32, result.Purified.dtype);
        Assert.True(result.Purified.min().item<float>() >= 0 && result.Purified.max().item<float>() <= 1);
        using var psnr = ImageQuality.Psnr(result.Purified, images);
        for (int i = 0; i < 2; i++)
        {
            var d = result.Diagnostics[i];
            Assert.Equal(40, d.Psnr.Length);
            Assert.Equal(HoltSmoothing.PeakIndex(d.Psnr, Tiny.SmoothingFactor), d.SelectedIteration);
            // The image returned is the output whose PSNR the series recorded at the selected iteration.
            Assert.Equal(d.Psnr[d.SelectedIteration], psnr[i].item<float>(), 3);
            Assert.True(d.Psnr[^1] > d.Psnr[0], "the fit must approach its input");
        }
        Assert.Equal(Enumerable.Range(1, 40), recorder.Reports.Select(r => r.Iteration));
        Assert.All(recorder.Reports, r => Assert.Equal((PurificationStage.Trace, 0, 2, 2, 40), (r.Stage, r.ChunkStart, r.ChunkCount, r.Images, r.Iterations)));
    }

    [Fact]
    public void OnLargerImagesThePsnrIsTheMinimumOverPatches()
    {
        using var images = SyntheticImages.GradientWithSquare(1, 3, 20, 12);
        var options = Tiny with { PsnrPatchSize = 8 };
        using var result = Purify(options, images);
        var d = result.Diagnostics[0];
        // 20×12 with 8×8 patches: rows 0–7 and 8–15, columns 0–7; the rest is left out.
        var patches = new List<double>();
        foreach (int top in new[] { 0, 8 })
        {
            using var output = result.Purified.narrow(2, top, 8).narrow(3, 0, 8);
            using var input = images.narrow(2, top, 8).narrow(3, 0, 8);
            using var value = ImageQuality.Psnr(output, input);
            patches.Add(value.item<float>());
        }
        Assert.Equal(d.Psnr[d.SelectedIteration], patches.Min(), 3);
    }

    [Fact]
    public void SameSeedSameBytesOtherSeedOtherImage()
    {
        using var images = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var first = Purify(Tiny, images);
        using var again = Purify(Tiny, images);
        using var other = (PurifierResult<DipDefendDiagnostics>)new DipDefendPurifier(Tiny).WithSeed(12).Purify(images);

        Assert.True(first.Purified.equal(again.Purified).all().item<bool>());
        Assert.Equal(first.Diagnostics[0].Psnr, again.Diagnostics[0].Psnr);
        using var difference = (first.Purified - other.Purified).abs().max();
        Assert.True(difference.item<float>() > 1e-4f);
    }

    [Fact]
    public void BatchedEqualsUnbatchedWithSeedPlusIndex()
    {
        using var images = SyntheticImages.GradientWithSquare(3, 3, 16, 16);
        using var batched = Purify(Tiny with { BatchSize = 3 }, images);
        using var single = Purify(Tiny with { BatchSize = 1 }, images);
        Assert.True(batched.Purified.equal(single.Purified).all().item<bool>(), "batch sizes 3 and 1 must give the same bytes");
        for (int i = 0; i < 3; i++)
            Assert.Equal(batched.Diagnostics[i].Psnr, single.Diagnostics[i].Psnr);
        // The batch split over one, two or three worker threads: the same bytes, and the same progress reports.
        var reports = new List<int[]>();
        foreach (int workers in new[] { 1, 2, 3 })
        {
            var recorder = new Recorder();
            using var split = Purify(Tiny with { BatchSize = 3, Workers = workers }, images, recorder);
            Assert.True(split.Purified.equal(single.Purified).all().item<bool>(), $"{workers} workers must give the bytes of one");
            Assert.Equal(batched.Diagnostics.Select(d => d.SelectedIteration), split.Diagnostics.Select(d => d.SelectedIteration));
            reports.Add([.. recorder.Reports.Select(r => r.Iteration)]);
        }
        Assert.Equal(Enumerable.Range(1, Tiny.Iterations), reports[0]);
        Assert.All(reports, r => Assert.Equal(reports[0], r));

        // Image 2 alone with seed Seed + 2.
        using var third = images.narrow(0, 2, 1);
        using var alone = Purify(Tiny with { Seed = Tiny.Seed + 2 }, third);
        Assert.True(alone.Purified.equal(batched.Purified.narrow(0, 2, 1)).all().item<bool>());
    }

    [Fact]
    public void DefaultsAreTheReferenceSettings()
    {
        var options = new DipDefendOptions();
        Assert.Equal((4000, 0.01, 0.002, 32, 0L, 16), (options.Iterations, options.LearningRate, options.SmoothingFactor, options.PsnrPatchSize, options.Seed, options.BatchSize));
        var network = options.Network;
        Assert.Equal([4, 8, 16], network.Channels);
        Assert.Equal([3, 3, 3], network.Kernels);
        Assert.Equal([0, 0, 0], network.SkipChannels);
        Assert.Equal((DipUpsampling.Bilinear, DipPadding.Zeros, 1, 0.1), (network.Upsampling, network.Padding, network.NoiseChannels, network.NoiseScale));
        var purifier = new DipDefendPurifier();
        Assert.Equal("dipdefend", purifier.Name);
        Assert.True(purifier.IsRandomized);
        Assert.Equal(5, ((DipDefendPurifier)purifier.WithSeed(5)).Options.Seed);
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        (DipDefendOptions Options, string Expected)[] cases =
        [
            (Tiny with { Iterations = 0 }, "Iterations must be at least 1; got 0"),
            (Tiny with { LearningRate = double.NaN }, "LearningRate must be positive and finite; got NaN"),
            (Tiny with { SmoothingFactor = 0 }, "SmoothingFactor must lie in (0, 1]; got 0"),
            (Tiny with { PsnrPatchSize = 0 }, "PsnrPatchSize must be at least 1; got 0"),
            (Tiny with { BatchSize = 0 }, "BatchSize must be at least 1; got 0"),
            (Tiny with { Workers = -1 }, "Workers must be 0 (automatic) or positive; got -1"),
            (Tiny with { Network = DipDefendOptions.ReferenceNetwork with { NoiseChannels = 0 } }, "NoiseChannels must be positive; got 0"),
        ];
        foreach (var (options, expected) in cases)
        {
            var ex = Assert.Throws<ArgumentException>(() => new DipDefendPurifier(options));
            Assert.Equal("options", ex.ParamName);
            Assert.Contains(expected, ex.Message);
        }
    }

    [Fact]
    public void CancellationStopsTheFit()
    {
        // One image: the fit on the calling thread; two: on two worker threads.
        foreach (int count in new[] { 1, 2 })
        {
            using var images = SyntheticImages.GradientWithSquare(count, 3, 16, 16);
            using var cts = new CancellationTokenSource();
            var progress = new Progress(() => cts.Cancel());
            var purifier = new DipDefendPurifier(Tiny with { Workers = count });
            using var scope = NewDisposeScope();
            Assert.ThrowsAny<OperationCanceledException>(() => purifier.Purify(images, progress, cts.Token));
            Assert.Equal(0, scope.DisposablesCount);
        }
    }

    [Fact]
    public void AFailingProgressHandlerStopsTheWorkersAndItsExceptionComesThrough()
    {
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        var purifier = new DipDefendPurifier(Tiny with { Workers = 2 });
        var progress = new Progress(() => throw new InvalidOperationException("handler failed"));
        Assert.Equal("handler failed", Assert.Throws<InvalidOperationException>(() => purifier.Purify(images, progress)).Message);
    }

    /// <summary>Calls <paramref name="onReport"/> synchronously on every report.</summary>
    private sealed class Progress(Action onReport) : IProgress<PurificationProgress>
    {
        public void Report(PurificationProgress value) => onReport();
    }
}
