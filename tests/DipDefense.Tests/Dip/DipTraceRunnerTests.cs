using DipDefense.Dip;
using static TorchSharp.torch;

namespace DipDefense.Tests.Dip;

public class DipTraceRunnerTests
{
    /// <summary>A synchronous progress sink (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder(Action<DipProgress>? onReport = null) : IProgress<DipProgress>
    {
        public List<DipProgress> Reports { get; } = [];

        public void Report(DipProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    private static readonly DipTraceOptions Short = new() { Iterations = 20, Snapshots = 4, Seed = 100 };

    [Fact]
    public void BatchedTraceEqualsSingleImageTracesWithSeedPlusIndex()
    {
        using var targets = SyntheticImages.GradientWithSquare(3, 3, 16, 16);
        using var batched = new DipTraceRunner(Short).Run(targets);

        Assert.Equal(new long[] { 3, 4, 3, 16, 16 }, batched.Snapshots.shape);
        for (int b = 0; b < 3; b++)
        {
            using var target = targets.narrow(0, b, 1);
            using var single = new DipTraceRunner(Short with { Seed = Short.Seed + b }).Run(target);
            using var expected = single.Snapshots.select(0, 0);
            using var actual = batched.Snapshots.select(0, b);
            using var difference = (expected - actual).abs().max();
            float maxAbs = difference.item<float>();
            Assert.True(maxAbs == 0, $"image {b}: batched and single traces differ by {maxAbs} (they must be the same bytes)");
            for (int m = 0; m < 4; m++)
                Assert.Equal(single.Losses[0, m], batched.Losses[b, m]);
        }
    }

    [Fact]
    public void GivenSeedsReplaceSeedPlusIndexImageByImage()
    {
        // Images 0, 1, 0 with seeds 7, 100, 7 (the purifier fits an image K times in one call this way).
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        using var targets = cat([images.narrow(0, 0, 1), images.narrow(0, 1, 1), images.narrow(0, 0, 1)], 0);
        using var seeded = new DipTraceRunner(Short).Run(targets, seeds: [7, 100, 7]);
        using var alone = new DipTraceRunner(Short with { Seed = 100 }).Run(images.narrow(0, 1, 1));
        using var seven = new DipTraceRunner(Short with { Seed = 7 }).Run(images.narrow(0, 0, 1));

        using var first = seeded.Snapshots[0];
        using var second = seeded.Snapshots[1];
        using var third = seeded.Snapshots[2];
        using var aloneTrace = alone.Snapshots[0];
        using var sevenTrace = seven.Snapshots[0];
        Assert.True(first.equal(third).all().item<bool>());
        Assert.True(second.equal(aloneTrace).all().item<bool>());
        Assert.True(first.equal(sevenTrace).all().item<bool>());

        Assert.Equal("seeds", Assert.Throws<ArgumentException>(() => new DipTraceRunner(Short).Run(targets, seeds: [7, 100])).ParamName);
    }

    [Fact]
    public void SameSeedGivesTheSameTraceAndAnotherSeedADifferentOne()
    {
        var options = Short with { Iterations = 8, Snapshots = 2 };
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var first = new DipTraceRunner(options).Run(targets);
        using var again = new DipTraceRunner(options).Run(targets);
        using var other = new DipTraceRunner(options with { Seed = options.Seed + 1 }).Run(targets);

        Assert.True(first.Snapshots.equal(again.Snapshots).all().item<bool>());
        using var difference = (first.Snapshots - other.Snapshots).abs().max();
        Assert.True(difference.item<float>() > 1e-3f);
    }

    [Fact]
    public void MseFallsOnARealLookingImage()
    {
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 32, 32);
        using var trace = new DipTraceRunner(new DipTraceOptions { Iterations = 60, Snapshots = 6, Seed = 1 }).Run(targets);

        float first = trace.Losses[0, 0], last = trace.Losses[0, 5];
        Assert.True(last < 0.5f * first, $"MSE went from {first} to {last}");
        using var mse = (trace.Snapshots.select(1, 5) - targets).square().mean();
        Assert.Equal(last, mse.item<float>(), 1e-6f);
    }

    [Fact]
    public void ReturnsExactlyMSnapshotsAtEqualIntervalsAndReportsProgress()
    {
        var recorder = new Recorder();
        using var targets = SyntheticImages.GradientWithSquare(2, 1, 12, 12);
        using var trace = new DipTraceRunner(Short with { Network = DipNetworkConfig.Small }).Run(targets, recorder);

        Assert.Equal(new long[] { 2, 4, 1, 12, 12 }, trace.Snapshots.shape);
        Assert.Equal(new[] { 5, 10, 15, 20 }, trace.SnapshotIterations);
        Assert.Equal(2, trace.Losses.GetLength(0));
        Assert.Equal(4, trace.Losses.GetLength(1));
        Assert.Equal(4, trace.SnapshotTimes.Length);
        Assert.True(trace.SecondsPerIteration > 0);
        Assert.Equal(new[] { 1, 2, 3, 4 }, recorder.Reports.Select(r => r.Snapshot));
        Assert.Equal(new[] { 5, 10, 15, 20 }, recorder.Reports.Select(r => r.Iteration));
        Assert.All(recorder.Reports, r => Assert.Equal((20, 4), (r.Iterations, r.Snapshots)));
        Assert.Equal((trace.Losses[0, 3] + trace.Losses[1, 3]) / 2, recorder.Reports[^1].MeanLoss, 1e-6);
        Assert.True(trace.Snapshots.min().item<float>() > 0 && trace.Snapshots.max().item<float>() < 1);
    }

    [Fact]
    public void CancellationStopsTheTrace()
    {
        using var cancellation = new CancellationTokenSource();
        var recorder = new Recorder(_ => cancellation.Cancel());
        using var targets = SyntheticImages.GradientWithSquare(1, 1, 8, 8);
        var runner = new DipTraceRunner(new DipTraceOptions { Iterations = 1000, Snapshots = 100, Network = DipNetworkConfig.Small });

        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(targets, recorder, cancellation.Token));
        Assert.Single(recorder.Reports);
        Assert.Equal(10, recorder.Reports[0].Iteration);
    }

    [Fact]
    public void AnAlreadyCancelledTokenRunsNothing()
    {
        using var targets = SyntheticImages.GradientWithSquare(1, 1, 8, 8);
        Assert.ThrowsAny<OperationCanceledException>(() => new DipTraceRunner(Short).Run(targets, null, new CancellationToken(true)));
    }

    [Fact]
    public void RejectsInvalidTargets()
    {
        var runner = new DipTraceRunner(Short);
        using var rank3 = rand(3, 8, 8);
        using var outOfRange = rand(1, 3, 8, 8) + 0.5;
        using var negative = rand(1, 3, 8, 8) - 0.5;
        using var integers = zeros([1, 3, 8, 8], ScalarType.Int32);
        foreach (var bad in new[] { rank3, outOfRange, negative, integers })
            Assert.Equal("targets", Assert.Throws<ArgumentException>(() => runner.Run(bad)).ParamName);
    }

    public static TheoryData<string, DipTraceOptions> InvalidOptions() => new()
    {
        { "Iterations", new DipTraceOptions { Iterations = 0 } },
        { "Snapshots", new DipTraceOptions { Snapshots = -1 } },
        { "multiple of Snapshots", new DipTraceOptions { Iterations = 1000, Snapshots = 300 } },
        { "must not exceed", new DipTraceOptions { Iterations = 10, Snapshots = 20 } },
        { "LearningRate", new DipTraceOptions { LearningRate = 0 } },
        { "Network", new DipTraceOptions { Network = null! } },
        { "SkipKernel", new DipTraceOptions { Network = DipNetworkConfig.Medium with { SkipKernel = 0 } } },
        { "InputNoiseStd", new DipTraceOptions { InputNoiseStd = -0.1 } },
        { "InputNoiseStd", new DipTraceOptions { InputNoiseStd = double.NaN } },
        { "OutputAveraging", new DipTraceOptions { OutputAveraging = 1 } },
        { "OutputAveraging", new DipTraceOptions { OutputAveraging = -0.5 } },
        { "Workers", new DipTraceOptions { Workers = -1 } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void RejectsInvalidOptionsNamingTheSetting(string expected, DipTraceOptions options)
    {
        var ex = Assert.Throws<ArgumentException>(() => new DipTraceRunner(options));
        Assert.Equal("options", ex.ParamName);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void DefaultsAreThePapersSettings()
    {
        var options = new DipTraceRunner().Options;
        Assert.Equal(1000, options.Iterations);
        Assert.Equal(200, options.Snapshots);
        Assert.Equal(5, options.SnapshotInterval);
        Assert.Equal(0.01, options.LearningRate);
        Assert.Equal(DipNetworkConfig.Medium, options.Network);
        Assert.Equal(0L, options.Seed);
        Assert.Equal(1.0 / 30, options.InputNoiseStd);
        Assert.Equal(0, options.OutputAveraging);
        Assert.Equal(0, options.Workers);
    }

    [Fact]
    public void InputNoiseIsSeededPerImageAndChangesTheTrace()
    {
        var noisy = Short with { InputNoiseStd = 0.05 };
        using var targets = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        using var first = new DipTraceRunner(noisy).Run(targets);
        using var again = new DipTraceRunner(noisy).Run(targets);
        using var plain = new DipTraceRunner(noisy with { InputNoiseStd = 0 }).Run(targets);
        using var secondAlone = new DipTraceRunner(noisy with { Seed = noisy.Seed + 1 }).Run(targets.narrow(0, 1, 1));

        Assert.True(first.Snapshots.equal(again.Snapshots).all().item<bool>(), "same seed, same bytes");
        using var second = first.Snapshots.narrow(0, 1, 1);
        Assert.True(second.equal(secondAlone.Snapshots).all().item<bool>(), "image 1 of the batch equals image 1 alone (seed + 1)");
        using var difference = (first.Snapshots - plain.Snapshots).abs().max();
        Assert.True(difference.item<float>() > 1e-3f, "the perturbation changes the trace");
    }

    [Fact]
    public void OutputAveragingSnapshotsAreTheMovingAverageOfTheOutputs()
    {
        // Averaging does not change the fit, so the plain trace with a snapshot at every iteration holds every output.
        var everyIteration = Short with { Iterations = 6, Snapshots = 6, InputNoiseStd = 0.05 };
        const double beta = 0.8;
        using var targets = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        using var outputs = new DipTraceRunner(everyIteration).Run(targets);
        using var averaged = new DipTraceRunner(everyIteration with { OutputAveraging = beta }).Run(targets);

        using var scope = NewDisposeScope();
        var expected = outputs.Snapshots.select(1, 0).clone();
        for (int t = 0; t < 6; t++)
        {
            if (t > 0)
                expected = expected.mul(beta).add(outputs.Snapshots.select(1, t), alpha: 1 - beta);
            float error = (averaged.Snapshots.select(1, t) - expected).abs().max().item<float>();
            Assert.True(error < 1e-6f, $"snapshot {t}: {error}");
            Assert.Equal(outputs.Losses[0, t], averaged.Losses[0, t]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WorkersDoNotChangeTheTrace(int workers)
    {
        using var targets = SyntheticImages.GradientWithSquare(5, 3, 16, 16);
        using var reference = new DipTraceRunner(Short with { Workers = 1 }).Run(targets);
        var recorder = new Recorder();
        using var split = new DipTraceRunner(Short with { Workers = workers }).Run(targets, recorder);

        Assert.True(reference.Snapshots.equal(split.Snapshots).all().item<bool>());
        Assert.Equal(new[] { 1, 2, 3, 4 }, recorder.Reports.Select(r => r.Snapshot));
        double meanLast = Enumerable.Range(0, 5).Average(b => split.Losses[b, 3]);
        Assert.Equal(meanLast, recorder.Reports[^1].MeanLoss, 1e-6);
    }

    [Fact]
    public void AFailingProgressHandlerStopsTheWorkersAndItsExceptionComesThrough()
    {
        int threadsBefore = get_num_threads();
        var recorder = new Recorder(_ => throw new InvalidOperationException("handler failed"));
        using var targets = SyntheticImages.GradientWithSquare(4, 1, 8, 8);
        var runner = new DipTraceRunner(new DipTraceOptions { Iterations = 1000, Snapshots = 100, Network = DipNetworkConfig.Small, Workers = 2 });

        Assert.Equal("handler failed", Assert.Throws<InvalidOperationException>(() => runner.Run(targets, recorder)).Message);
        Assert.Single(recorder.Reports);
        Assert.Equal(threadsBefore, get_num_threads());
    }

    [Fact]
    public void CancellationStopsEveryWorkerAndTheThreadCountIsRestored()
    {
        int threadsBefore = get_num_threads();
        using var cancellation = new CancellationTokenSource();
        var recorder = new Recorder(_ => cancellation.Cancel());
        using var targets = SyntheticImages.GradientWithSquare(4, 1, 8, 8);
        var runner = new DipTraceRunner(new DipTraceOptions { Iterations = 1000, Snapshots = 100, Network = DipNetworkConfig.Small, Workers = 2 });

        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(targets, recorder, cancellation.Token));
        Assert.Single(recorder.Reports);
        Assert.Equal(threadsBefore, get_num_threads());
    }

    /// <summary>Stops image i after snapshot stopAt[i] (never, when it is past the trace).</summary>
    private sealed class StopAt(params int[] stopAt) : IDipTraceStop
    {
        public List<(int Image, int Snapshot)> Calls { get; } = [];

        public bool[] Finished(IReadOnlyList<int> images, IReadOnlyList<int> snapshot, Tensor snapshots)
        {
            Assert.Equal(images.Count, (int)snapshots.shape[0]);
            Assert.Equal(images.Count, snapshot.Count);
            lock (Calls)
                Calls.AddRange(images.Select((i, r) => (i, snapshot[r])));
            return [.. images.Select((i, r) => stopAt[i] == snapshot[r])];
        }
    }

    [Theory]
    [InlineData(1, 0.0, 0.0)]
    [InlineData(2, 0.05, 0.0)]
    [InlineData(2, 0.05, 0.8)]
    public void AnEarlyStopFreezesTheFinishedTracesAndLeavesTheOthersUnchanged(int workers, double noise, double averaging)
    {
        var options = Short with { Iterations = 40, Snapshots = 8, Workers = workers, InputNoiseStd = noise, OutputAveraging = averaging };
        using var targets = SyntheticImages.GradientWithSquare(5, 3, 16, 16);
        using var full = new DipTraceRunner(options).Run(targets);
        var stop = new StopAt(2, 99, 0, 5, 99);
        var recorder = new Recorder();
        using var stopped = new DipTraceRunner(options).Run(targets, recorder, default, stop);

        Assert.Equal(new[] { 2, 7, 0, 5, 7 }, stopped.StoppedAt);
        Assert.Equal(Enumerable.Range(1, 8), recorder.Reports.Select(r => r.Snapshot));
        for (int b = 0; b < 5; b++)
        {
            int last = stopped.StoppedAt[b];
            using var ran = stopped.Snapshots[b].narrow(0, 0, last + 1);
            using var expected = full.Snapshots[b].narrow(0, 0, last + 1);
            Assert.True(ran.equal(expected).all().item<bool>(), $"image {b}: the snapshots before the stop differ from the full trace");
            for (int m = last + 1; m < 8; m++)
            {
                Assert.True(stopped.Snapshots[b][m].equal(stopped.Snapshots[b][last]).all().item<bool>(), $"image {b}, snapshot {m}");
                Assert.Equal(stopped.Losses[b, last], stopped.Losses[b, m]);
            }
        }
        // Never asked about the last snapshot, nor about an image after it stopped.
        Assert.DoesNotContain(stop.Calls, c => c.Snapshot == 7);
        Assert.DoesNotContain(stop.Calls, c => c.Snapshot > new[] { 2, 7, 0, 5, 7 }[c.Image]);
    }

    [Theory]
    [InlineData(1, 1, 0.0, 0.0)]     // one network at a time: each image's network is built after the last one ended
    [InlineData(1, 3, 0.05, 0.0)]    // networks join a running batch: Adam's per-network step counts differ
    [InlineData(2, 2, 0.05, 0.8)]
    [InlineData(2, 4, 0.05, 0.8)]
    public void ARefilledBatchGivesEveryImageTheTraceItHasWhenAllRunAtOnce(int workers, int concurrent, double noise, double averaging)
    {
        var options = Short with { Iterations = 40, Snapshots = 8, Workers = workers, InputNoiseStd = noise, OutputAveraging = averaging };
        using var targets = SyntheticImages.GradientWithSquare(6, 3, 16, 16);
        int[] stopAt = [1, 99, 0, 3, 99, 2];
        using var together = new DipTraceRunner(options).Run(targets, stop: new StopAt(stopAt));
        var recorder = new Recorder();
        var stop = new StopAt(stopAt);
        using var refilled = new DipTraceRunner(options).Run(targets, recorder, default, stop, concurrent: concurrent);

        Assert.Equal(new[] { 1, 7, 0, 3, 7, 2 }, refilled.StoppedAt);
        Assert.True(together.Snapshots.equal(refilled.Snapshots).all().item<bool>(), "a refilled batch changed a trace");
        for (int b = 0; b < 6; b++)
            for (int m = 0; m < 8; m++)
                Assert.Equal(together.Losses[b, m], refilled.Losses[b, m]);
        Assert.Equal(Enumerable.Range(1, 8), recorder.Reports.Select(r => r.Snapshot));
        Assert.Equal(Enumerable.Range(0, 6).Average(b => refilled.Losses[b, 7]), recorder.Reports[^1].MeanLoss, 1e-6);
        // Every image is asked about each of its snapshots once, up to its stop, never about the last one.
        Assert.Equal(stopAt.Sum(s => Math.Min(s, 6) + 1), stop.Calls.Count);
        Assert.Equal(stop.Calls.Count, stop.Calls.Distinct().Count());
        Assert.Equal("concurrent", Assert.Throws<ArgumentException>(() => new DipTraceRunner(options).Run(targets, concurrent: -1)).ParamName);
    }

    [Fact]
    public void AStopThatFinishesEverythingEndsTheTraceAtOnce()
    {
        var options = Short with { Iterations = 400, Snapshots = 8, Workers = 2 };
        using var targets = SyntheticImages.GradientWithSquare(4, 1, 8, 8);
        var recorder = new Recorder();
        using var stopped = new DipTraceRunner(options with { Network = DipNetworkConfig.Small }).Run(targets, recorder, default, new StopAt(0, 0, 0, 0));
        Assert.Equal(new[] { 0, 0, 0, 0 }, stopped.StoppedAt);
        Assert.Equal(Enumerable.Range(1, 8), recorder.Reports.Select(r => r.Snapshot));
    }
}
