using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Tests.Dip;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Defense;

/// <summary>The whole purifier with tiny DIP traces (small network, T = 40, M = 8).</summary>
public class DecisionSpacePurifierTests
{
    private sealed class Recorder : IProgress<PurificationProgress>
    {
        public List<PurificationProgress> Reports { get; } = [];

        public void Report(PurificationProgress value) => Reports.Add(value);
    }

    private static readonly PurifierOptions Tiny = new()
    {
        Trace = new DipTraceOptions { Iterations = 40, Snapshots = 8, Network = DipNetworkConfig.Small, Seed = 5 },
        Selection = PurifierSelection.SupportGate,   // the steps of the paper behind the gate, on the whole trace
        Horizon = 1,
        SsimThreshold = 0,
        WarmUp = 1,
        Pairs = 2,
        Eta = 0.1,
        GridSections = 4,
        BatchSize = 3,
    };

    [Fact]
    public void ResultsDoNotDependOnTheBatchSize()
    {
        using var images = SyntheticImages.GradientWithSquare(3, 3, 16, 16);
        using var batched = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny).Purify(images);
        using var single = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny with { BatchSize = 1 }).Purify(images);

        Assert.Equal(images.shape, batched.Purified.shape);
        using var difference = (batched.Purified - single.Purified).abs().max();
        Assert.True(difference.item<float>() <= 1e-5f, $"batch sizes 3 and 1 differ by {difference.item<float>()}");
        Assert.Equal(3, batched.Diagnostics.Count);
        for (int i = 0; i < 3; i++)
        {
            PurificationDiagnostics a = batched.Diagnostics[i], b = single.Diagnostics[i];
            Assert.Equal(a.TraceLabels, b.TraceLabels);
            Assert.Equal(a.TraceSsim, b.TraceSsim);
            Assert.Equal(a.Crossings, b.Crossings);
            Assert.Equal(a.UsedPairs, b.UsedPairs);
            Assert.Equal(a.Lambdas, b.Lambdas);
            Assert.Equal(a.OnBoundaryCount, b.OnBoundaryCount);
            Assert.Equal(a.FallbackUsed, b.FallbackUsed);
            Assert.Equal(a.FinalLabel, b.FinalLabel);
        }
        // The traces cross the brightness bins, so the test exercises the boundary search, not only the fallback.
        Assert.Contains(batched.Diagnostics, d => !d.FallbackUsed);
    }

    [Fact]
    public void SameSeedGivesTheSameOutputAndAnotherSeedADifferentOneAndProgressIsReported()
    {
        using var images = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        var recorder = new Recorder();
        using var first = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny).Purify(images, recorder);
        using var again = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny).Purify(images);
        var otherSeed = Tiny with { Trace = Tiny.Trace with { Seed = 6 } };
        using var other = new DecisionSpacePurifier(new BrightnessBinsClassifier(), otherSeed).Purify(images);

        Assert.True(first.Purified.equal(again.Purified).all().item<bool>());
        using var difference = (first.Purified - other.Purified).abs().max();
        Assert.True(difference.item<float>() > 1e-4f);

        var stages = recorder.Reports.Select(r => r.Stage).Distinct().ToArray();
        Assert.Equal(new[] { PurificationStage.Trace, PurificationStage.DecisionMapping, PurificationStage.BoundarySearch, PurificationStage.Stitching }, stages);
        var trace = recorder.Reports.Where(r => r.Stage == PurificationStage.Trace).ToArray();
        Assert.Equal(8, trace.Length);
        Assert.Equal(new[] { 5, 10, 15, 20, 25, 30, 35, 40 }, trace.Select(r => r.Iteration));
        Assert.All(recorder.Reports, r => Assert.Equal((0, 1, 1, 40), (r.ChunkStart, r.ChunkCount, r.Images, r.Iterations)));
        Assert.True(first.Timings.Trace > TimeSpan.Zero);
        Assert.Equal(first.Timings.Total, first.Diagnostics[0].Timings.Total);
    }

    [Fact]
    public void ImagesBeyondTheFirstChunkUseSeedPlusTheirIndex()
    {
        // Image 1 purified alone with seed Seed + 1 equals image 1 of a call over both images (batch size 1).
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        using var both = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny with { BatchSize = 1 }).Purify(images);
        using var second = images.narrow(0, 1, 1);
        var shifted = Tiny with { Trace = Tiny.Trace with { Seed = Tiny.Trace.Seed + 1 } };
        using var alone = new DecisionSpacePurifier(new BrightnessBinsClassifier(), shifted).Purify(second);

        using var difference = (both.Purified.narrow(0, 1, 1) - alone.Purified).abs().max();
        Assert.True(difference.item<float>() <= 1e-5f);
    }

    [Fact]
    public void LeavesOnlyThePurifiedTensorInTheCallersDisposeScope()
    {
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        var purifier = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny with { BatchSize = 1 });
        using var scope = NewDisposeScope();
        var result = purifier.Purify(images);
        Assert.Equal(1, scope.DisposablesCount);
        result.Dispose();
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Fact]
    public void CancellationStopsThePurifier()
    {
        using var images = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var purifier = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny);
        Assert.ThrowsAny<OperationCanceledException>(() => purifier.Purify(images, cancellationToken: cts.Token));
    }

    [Fact]
    public void WorksInsideACallersNoGradBlock()
    {
        using var images = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var expected = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny).Purify(images);
        using (no_grad())
        {
            using var actual = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny).Purify(images);
            Assert.True(actual.Purified.equal(expected.Purified).all().item<bool>());
            Assert.False(actual.Purified.requires_grad);
        }
    }

    [Fact]
    public void InvalidImagesAreRejectedWithTheParameterName()
    {
        var purifier = new DecisionSpacePurifier(new BrightnessBinsClassifier(), Tiny);
        using var ints = zeros([1, 3, 16, 16], ScalarType.Int32);
        using var rank3 = zeros([3, 16, 16]);
        using var outOfRange = full([1, 3, 16, 16], 1.5f);
        using var nan = full([1, 3, 16, 16], float.NaN);
        using var tiny = zeros([1, 3, 8, 8]);
        using var empty = zeros([0, 3, 16, 16]);
        foreach (var bad in new[] { ints, rank3, outOfRange, nan, tiny, empty })
        {
            var ex = Assert.Throws<ArgumentException>(() => purifier.Purify(bad));
            Assert.Equal("images", ex.ParamName);
        }
        Assert.Throws<ArgumentNullException>(() => new DecisionSpacePurifier(null!, Tiny));
    }

    [SharedDataFact]
    public void PurifiesRealCifarImagesWithResNet20()
    {
        using var data = DatasetReader.Read(SharedData.Cifar10Batch);
        using var images = data.Images.narrow(0, 0, 2).clone();
        using var victim = new OnnxClassifier(SharedData.ResNet20);
        var options = Tiny with { Trace = Tiny.Trace with { Iterations = 40, Snapshots = 8 }, SsimThreshold = 0.3, BatchSize = 2 };

        using var result = new DecisionSpacePurifier(victim, options).Purify(images);

        Assert.Equal(new long[] { 2, 3, 32, 32 }, result.Purified.shape);
        Assert.Equal(ScalarType.Float32, result.Purified.dtype);
        Assert.True(result.Purified.min().item<float>() >= 0 && result.Purified.max().item<float>() <= 1);
        Assert.Equal(2, result.Diagnostics.Count);
        foreach (var d in result.Diagnostics)
        {
            Assert.Equal(8, d.TraceLabels.Length);
            Assert.Equal(8, d.TraceSsim.Length);
            Assert.Equal(d.UsedPairs.Length, d.Lambdas.Length);
            Assert.True(d.UsedPairs.Length <= options.Pairs);
            Assert.All(d.UsedPairs, i => Assert.Contains(i, d.Crossings));
            Assert.Equal(d.FallbackUsed, d.Crossings.Length == 0 || d.PassedThrough);
            Assert.Equal(d.FallbackUsed ? options.Pairs : d.UsedPairs.Length, d.OnBoundaryCount);
            Assert.All(d.Lambdas, l => Assert.InRange(l, 0.25, 1.0));
            Assert.InRange(d.FinalLabel, 0, 9);
        }
        using var labels = victim.Predict(result.Purified);
        Assert.Equal(result.FinalLabels, labels.data<long>().ToArray());
        Assert.True(victim.QueryCount >= 2 * 8 + 2 + 2 + 2, $"QueryCount {victim.QueryCount}");   // snapshots, inputs, outputs, and this test's own query
    }
}
