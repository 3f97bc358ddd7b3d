using DipDefense.Defense;
using DipDefense.Metrics;

namespace DipDefense.Tests.Defense;

/// <summary>
/// Steps 2–6 on constructed traces with a brightness-threshold victim (label 1 ⇔ mean &gt; 0.5), so that every
/// label, SSIM, crossing and λ* is known analytically.
/// </summary>
public class DecisionSpaceReconstructionTests
{
    private const int Side = 16;

    // Constant grey snapshots and a constant input 0.5: SSIM(v, a) = (2va + C1) / (v² + a² + C1).
    //   index:  0    1    2    3    4    5     6    7    8    9
    //   value: 0.3  0.6  0.3  0.6  0.6  0.05  0.7  0.4  0.4  0.45
    //   label:  0    1    0    1    1    0     1    0    0    0
    // Flips at i = 0, 1 (before w = 2), 2, 4, 5 (q_5 = SSIM(0.05, 0.5) ≈ 0.2 < τ), 6 → crossings {2, 4, 6}.
    private static readonly double[] Values = [0.3, 0.6, 0.3, 0.6, 0.6, 0.05, 0.7, 0.4, 0.4, 0.45];

    private static readonly PurifierOptions Base = new()
    {
        Trace = new() { Iterations = 10, Snapshots = 10 },
        Selection = PurifierSelection.Paper,
        Horizon = 1,
        SsimThreshold = 0.7,
        WarmUp = 2,
        Pairs = 3,
        Eta = 0.1,
        GridSections = 10,
    };

    private static Tensor ConstantImages(double[] values, int channels = 1) =>
        stack(values.Select(v => full([channels, Side, Side], v, ScalarType.Float32)).ToArray());

    private static Tensor ConstantImage(double value, int channels = 1) => full([channels, Side, Side], value, ScalarType.Float32);

    private static double ConstantSsim(double v, double a) => (2 * v * a + ImageQuality.SsimC1) / (v * v + a * a + ImageQuality.SsimC1);

    [Fact]
    public void MapsEverySnapshotAndDetectsCrossingsWhereLabelFlipsAboveThresholdAfterWarmUp()
    {
        var victim = new ThresholdClassifier();
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        using var result = new DecisionSpaceReconstruction(victim, Base).ReconstructOne(snapshots, input);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(new long[] { 0, 1, 0, 1, 1, 0, 1, 0, 0, 0 }, d.TraceLabels);
        for (int i = 0; i < Values.Length; i++)
            Assert.Equal(ConstantSsim(Values[i], 0.5), d.TraceSsim[i], 1e-5);
        Assert.Equal(new[] { 2, 4, 6 }, d.Crossings);
        Assert.Equal(new[] { 2, 4, 6 }, d.UsedPairs);
        Assert.False(d.FallbackUsed);
        Assert.Equal(3, d.OnBoundaryCount);
    }

    [Fact]
    public void DetectIsEquation3()
    {
        long[] labels = [0, 1, 0, 1, 1, 0, 1, 0, 0, 0];
        double[] ssim = [0.9, 0.9, 0.9, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9, 0.9];
        Assert.Equal(new[] { 2, 4, 6 }, CrossBoundaryDetection.Detect(labels, ssim, 0.7, 2));
        Assert.Equal(new[] { 0, 1, 2, 4, 6 }, CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0));
        Assert.Equal(new[] { 0, 1, 2, 4, 5, 6 }, CrossBoundaryDetection.Detect(labels, ssim, 0.1, 0));
        Assert.Empty(CrossBoundaryDetection.Detect(labels, ssim, 0.7, 7));
        Assert.Equal(new[] { 4, 6 }, CrossBoundaryDetection.LastPairs([2, 4, 6], 2));
        Assert.Equal(new[] { 2, 4, 6 }, CrossBoundaryDetection.LastPairs([2, 4, 6], 5));
        Assert.Equal(3, CrossBoundaryDetection.FirstFlip([0, 0, 1, 1], 0));
        Assert.Equal(5, CrossBoundaryDetection.FirstFlip([0, 0, 0, 0], 0));
    }

    [Fact]
    public void StableRunKeepsOnlyCrossingsThatLeaveALabelHeldForKSnapshots()
    {
        //               0  1  2  3  4  5  6  7  8  9
        long[] labels = [3, 3, 3, 3, 5, 3, 5, 5, 2, 5];
        double[] ssim = [.9, .9, .9, .9, .9, .9, .9, .9, .9, .9];
        Assert.Equal(new[] { 3, 4, 5, 7, 8 }, CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0, stableRun: 1));
        Assert.Equal(new[] { 3, 7 }, CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0, stableRun: 2));
        Assert.Equal(new[] { 3 }, CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0, stableRun: 4));
        Assert.Empty(CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0, stableRun: 5));    // snapshot 0 starts the trace
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossBoundaryDetection.Detect(labels, ssim, 0.7, 0, stableRun: 0));
    }

    [Fact]
    public void LambdaStarIsTheFirstGridPointAcrossTheBoundary()
    {
        // Pair 2: 0.3 → 0.6 crosses 0.5 at λ = 2/3 → 0.7; pair 4: 0.6 → 0.05 at λ = 2/11 → 0.2;
        // pair 6: 0.7 → 0.4 at λ = 2/3 → 0.7. With G = 4: 0.75, 0.25, 0.75.
        var victim = new ThresholdClassifier();
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        using var g10 = new DecisionSpaceReconstruction(victim, Base).ReconstructOne(snapshots, input);
        using var g4 = new DecisionSpaceReconstruction(victim, Base with { GridSections = 4 }).ReconstructOne(snapshots, input);
        using var g1 = new DecisionSpaceReconstruction(victim, Base with { GridSections = 1 }).ReconstructOne(snapshots, input);

        Assert.Equal(new[] { 0.7, 0.2, 0.7 }, g10.Diagnostics[0].Lambdas);
        Assert.Equal(new[] { 0.75, 0.25, 0.75 }, g4.Diagnostics[0].Lambdas);
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, g1.Diagnostics[0].Lambdas);
    }

    [Fact]
    public void UsesOnlyTheLastNPairsAndPushesAndStitchesByEquations6And7()
    {
        // G = 10 on-boundary values: pair 2 → 0.51, pair 4 → 0.49, pair 6 → 0.49.
        // η = 0.1, x′ = 0.5: x_m = x_b + 0.1·(x_b − 0.5).
        var victim = new ThresholdClassifier();
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        using var three = new DecisionSpaceReconstruction(victim, Base).ReconstructOne(snapshots, input);
        using var two = new DecisionSpaceReconstruction(victim, Base with { Pairs = 2 }).ReconstructOne(snapshots, input);

        Assert.Equal(new[] { 4, 6 }, two.Diagnostics[0].UsedPairs);
        Assert.Equal(new[] { 2, 4, 6 }, two.Diagnostics[0].Crossings);
        Assert.Equal(2, two.Diagnostics[0].OnBoundaryCount);
        AssertConstant(two.Purified, 0.489);                                  // the first two pairs would give 0.5
        AssertConstant(three.Purified, (0.511 + 0.489 + 0.489) / 3);
        Assert.Equal(0L, two.Diagnostics[0].FinalLabel);
        Assert.Equal(new long[] { 1, 1, Side, Side }, two.Purified.shape);
    }

    [Fact]
    public void PushOnAStructuredInputMatchesTheFormulaAndClipsToTheUnitRange()
    {
        // A textured input and constant snapshots; τ = −1 accepts every snapshot.
        using var generator = new Generator(7);
        using var input = rand([3, Side, Side], generator: generator);
        using var snapshots = ConstantImages(Values, channels: 3);
        foreach (double eta in new[] { 0.3, 25.0 })
        {
            var options = Base with { SsimThreshold = -1, WarmUp = 0, Pairs = 4, Eta = eta };
            using var result = new DecisionSpaceReconstruction(new ThresholdClassifier(), options).ReconstructOne(snapshots, input);
            var d = result.Diagnostics[0];
            Assert.Equal(new[] { 2, 4, 5, 6 }, d.UsedPairs);

            using var scope = NewDisposeScope();
            var expected = zeros([3, Side, Side]);
            for (int p = 0; p < d.UsedPairs.Length; p++)
            {
                int i = d.UsedPairs[p];
                double lambda = d.Lambdas[p];
                var xb = snapshots[i] * (float)(1 - lambda) + snapshots[i + 1] * (float)lambda;
                expected += (xb + eta * (xb - input)).clamp(0, 1);
            }
            expected /= d.UsedPairs.Length;
            var actual = result.Purified[0];
            Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"η = {eta}: max difference {(actual - expected).abs().max().item<float>()}");
            Assert.True(actual.min().item<float>() >= 0 && actual.max().item<float>() <= 1);
            if (eta > 1)
                Assert.True(actual.eq(0).any().item<bool>() && actual.eq(1).any().item<bool>(), "a large η must clip at both ends");
        }
    }

    [Fact]
    public void WithoutCrossingsTheLastNSnapshotsAreAveragedWithEtaZero()
    {
        // Textured snapshots, all darker than 0.5 → no flip at all.
        using var generator = new Generator(3);
        using var snapshots = rand([10, 3, Side, Side], generator: generator).mul_(0.8);
        using var input = rand([3, Side, Side], generator: generator);
        var victim = new ThresholdClassifier();
        using var result = new DecisionSpaceReconstruction(victim, Base with { Pairs = 3, Eta = 0.5 }).ReconstructOne(snapshots, input);

        var d = result.Diagnostics[0];
        Assert.True(d.FallbackUsed);
        Assert.Empty(d.Crossings);
        Assert.Empty(d.UsedPairs);
        Assert.Empty(d.Lambdas);
        Assert.Equal(3, d.OnBoundaryCount);
        using var expected = snapshots.narrow(0, 7, 3).mean([0]);
        using var actual = result.Purified[0];
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-6));
        // Queries: M snapshots and the input for the mapping, no grid, one final.
        Assert.Equal(10 + 1 + 1, victim.QueryCount);
    }

    [Fact]
    public void CrossingsOnlyBeforeWarmUpOrBelowThresholdFallBack()
    {
        var victim = new ThresholdClassifier();
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        using var late = new DecisionSpaceReconstruction(victim, Base with { WarmUp = 7, Pairs = 2 }).ReconstructOne(snapshots, input);
        using var strict = new DecisionSpaceReconstruction(victim, Base with { SsimThreshold = 0.999 }).ReconstructOne(snapshots, input);

        Assert.True(late.Diagnostics[0].FallbackUsed);
        AssertConstant(late.Purified, (0.4 + 0.45) / 2);
        Assert.True(strict.Diagnostics[0].FallbackUsed);
        AssertConstant(strict.Purified, (0.4 + 0.4 + 0.45) / 3);
    }

    [Fact]
    public void BatchedTracesGiveThePerImageResultsWithFourBatchedQueries()
    {
        using var generator = new Generator(11);
        using var textured = rand([10, 1, Side, Side], generator: generator).mul_(0.8);
        using var constant = ConstantImages(Values);
        using var traces = stack([constant, textured]);
        using var inputs = stack([ConstantImage(0.5), ConstantImage(0.3)]);
        var victim = new ThresholdClassifier();
        var reconstruction = new DecisionSpaceReconstruction(victim, Base);

        using var batched = reconstruction.Reconstruct(traces, inputs);
        // 2·M snapshots, the 2 inputs, 3 pairs·(G − 1) grid points, 2 outputs.
        Assert.Equal(new long[] { 20, 2, 27, 2 }, victim.CallSizes);
        for (int b = 0; b < 2; b++)
        {
            using var single = reconstruction.ReconstructOne(traces[b], inputs[b]);
            Assert.True(single.Purified[0].equal(batched.Purified[b]).all().item<bool>());
            Assert.Equal(single.Diagnostics[0].UsedPairs, batched.Diagnostics[b].UsedPairs);
            Assert.Equal(single.Diagnostics[0].Lambdas, batched.Diagnostics[b].Lambdas);
            Assert.Equal(single.Diagnostics[0].FallbackUsed, batched.Diagnostics[b].FallbackUsed);
        }
        Assert.True(batched.Diagnostics[1].FallbackUsed);
    }

    [Fact]
    public void TraceShowsLabelLooksOnlyAfterWarmUp()
    {
        var d = new PurificationDiagnostics
        {
            TraceLabels = [3, 3, 5, 3], TraceSsim = [0, 0, 0, 0], Crossings = [], UsedPairs = [], Lambdas = [],
            OnBoundaryCount = 0, FallbackUsed = true, FinalLabel = 3,
        };
        Assert.True(d.TraceShowsLabel(5, 2));
        Assert.False(d.TraceShowsLabel(5, 3));
        Assert.True(d.TraceShowsLabel(3, 3));
        Assert.False(d.TraceShowsLabel(7, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.TraceShowsLabel(3, -1));
    }

    [Fact]
    public void InvalidTracesAreRejectedWithTheParameterName()
    {
        var reconstruction = new DecisionSpaceReconstruction(new ThresholdClassifier(), Base);
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        using var tooBright = input + 1;
        using var small = zeros([10, 1, 8, 8]);
        using var wrongShape = zeros([1, 3, Side, Side]);
        using var traces = snapshots.unsqueeze(0);

        Assert.Equal("input", Assert.Throws<ArgumentException>(() => reconstruction.ReconstructOne(snapshots, tooBright)).ParamName);
        Assert.Equal("snapshots", Assert.Throws<ArgumentException>(() => reconstruction.ReconstructOne(small, input)).ParamName);
        Assert.Equal("snapshots", Assert.Throws<ArgumentException>(() => reconstruction.ReconstructOne(traces, input)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => reconstruction.Reconstruct(traces, wrongShape)).ParamName);
    }

    private static void AssertConstant(Tensor images, double value)
    {
        float min = images.min().item<float>(), max = images.max().item<float>();
        Assert.True(Math.Abs(min - value) < 1e-5 && Math.Abs(max - value) < 1e-5, $"expected {value}; got [{min}, {max}]");
    }

    [Fact]
    public void LockInIsWhereTheLastLabelTakesOver()
    {
        Assert.Equal(7, CrossBoundaryDetection.LockIn([0, 1, 0, 1, 1, 0, 1, 0, 0, 0]));
        Assert.Equal(0, CrossBoundaryDetection.LockIn([4, 4, 4]));
        Assert.Equal(2, CrossBoundaryDetection.LockIn([1, 1, 0]));
        Assert.Throws<ArgumentException>(() => CrossBoundaryDetection.LockIn([]));
    }

    [Fact]
    public void TheSupportGateLetsThroughAnInputWhoseLabelTheWindowSupportsAndSendsTheOthersToEquations3To7()
    {
        // The input 0.5 has label 0; the one-hot victim gives s_i = 1 where y_i = 0: snapshots 0, 2, 5, 7, 8, 9.
        var victim = new ThresholdClassifier();
        using var snapshots = ConstantImages(Values);
        using var input = ConstantImage(0.5);
        var gate = Base with { Selection = PurifierSelection.SupportGate, GateFrom = 0, GateTo = 0.4 };   // snapshots 0..3 of 10: mean s = 0.5

        using var through = new DecisionSpaceReconstruction(victim, gate with { GateThreshold = 0.5 }).ReconstructOne(snapshots, input);
        using var gated = new DecisionSpaceReconstruction(victim, gate with { GateThreshold = 0.6 }).ReconstructOne(snapshots, input);
        using var paper = new DecisionSpaceReconstruction(victim, Base).ReconstructOne(snapshots, input);

        var d = through.Diagnostics[0];
        Assert.Equal(0, d.InputLabel);
        Assert.Equal(7, d.LockIn);
        Assert.Equal(0.5, d.GateSupport!.Value, 12);
        Assert.True(d.PassedThrough);
        Assert.True(d.FallbackUsed);
        Assert.Empty(d.UsedPairs);
        Assert.Equal(new[] { 2, 4, 6 }, d.Crossings);                 // detected, not used
        AssertConstant(through.Purified, (0.4 + 0.4 + 0.45) / 3);      // the last N = 3 snapshots

        Assert.False(gated.Diagnostics[0].PassedThrough);
        Assert.Equal(new[] { 2, 4, 6 }, gated.Diagnostics[0].UsedPairs);
        Assert.True(gated.Purified.equal(paper.Purified).all().item<bool>());
        Assert.Null(paper.Diagnostics[0].GateSupport);
    }
}
