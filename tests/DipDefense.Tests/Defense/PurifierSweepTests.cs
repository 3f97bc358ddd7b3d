using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Metrics;

namespace DipDefense.Tests.Defense;

/// <summary>The calibration sweep on constructed traces with the brightness-threshold victim.</summary>
public class PurifierSweepTests
{
    private const int Side = 16, Snapshots = 10;

    // The trace of DecisionSpaceReconstructionTests: crossings {2, 4, 6} for τ = 0.7, w = 2 against a constant input 0.5.
    private static readonly double[] Values = [0.3, 0.6, 0.3, 0.6, 0.6, 0.05, 0.7, 0.4, 0.4, 0.45];

    private static readonly PurifierOptions Base = new()
    {
        Trace = new() { Iterations = Snapshots, Snapshots = Snapshots },
        Selection = PurifierSelection.Paper,
        Horizon = 1,
        SsimThreshold = 0.7,
        WarmUp = 2,
        Pairs = 3,
        Eta = 0.1,
        GridSections = 10,
    };

    private static readonly PurifierOptions[] Settings =
    [
        Base,
        Base with { GridSections = 4, Pairs = 2, Eta = 0.3 },
        Base with { WarmUp = 7, Pairs = 2 },          // no crossing after w: fallback
        Base with { SsimThreshold = -1, WarmUp = 0, Pairs = 5, Eta = 0 },
    ];

    /// <summary>Three traces: the constant one, a textured dark one (no flip), and a textured one around 0.5.</summary>
    private static (Tensor Traces, Tensor Inputs, Tensor Clean) Chunk()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var constant = stack(Values.Select(v => full([3, Side, Side], v, ScalarType.Float32)).ToArray());
        var dark = rand([Snapshots, 3, Side, Side], generator: generator).mul_(0.8);
        var around = rand([Snapshots, 3, Side, Side], generator: generator).mul_(0.2)
            .add_(tensor(Values.Select(v => (float)(v - 0.1)).ToArray()).view(Snapshots, 1, 1, 1)).clamp_(0, 1);
        var traces = stack([constant, dark, around]);
        var inputs = stack([full([3, Side, Side], 0.5f), rand([3, Side, Side], generator: generator).mul_(0.6), around[Snapshots - 1]]);
        var clean = inputs.add(rand([3, 3, Side, Side], generator: generator).sub_(0.5).mul_(0.1)).clamp_(0, 1);
        return (traces.MoveToOuterDisposeScope(), inputs.MoveToOuterDisposeScope(), clean.MoveToOuterDisposeScope());
    }

    [Fact]
    public void EachSettingGivesWhatTheReconstructionWithThatSettingGives()
    {
        var (traces, inputs, clean) = Chunk();
        using var _t = traces;
        using var _i = inputs;
        using var _c = clean;
        long[] truth = [0, 1, 1];
        var images = new Tensor[Settings.Length];
        var sweep = new PurifierSweep(new ThresholdClassifier(), Settings);
        sweep.Add(traces, inputs, truth, clean, (s, r) => images[s] = r.Purified.clone());
        var results = sweep.Results;

        Assert.Equal(Settings.Length, results.Count);
        for (int s = 0; s < Settings.Length; s++)
        {
            var victim = new ThresholdClassifier();
            using var expected = new DecisionSpaceReconstruction(victim, Settings[s]).Reconstruct(traces, inputs);
            using var image = images[s];
            Assert.True(expected.Purified.equal(image).all().item<bool>(), $"setting {s}: the images differ");

            using var quantised = EightBitQuantization.Quantize(expected.Purified);
            using var predicted = victim.Predict(quantised);
            long[] labels = predicted.data<long>().ToArray();
            var r = results[s];
            Assert.Same(Settings[s], r.Options);
            Assert.Equal(3, r.Count);
            Assert.Equal(labels, r.Labels);
            Assert.Equal(labels.Zip(truth).Count(p => p.First == p.Second) / 3.0, r.Accuracy);
            Assert.Equal(expected.Diagnostics.Zip(truth).Count(p => p.First.FinalLabel == p.Second) / 3.0, r.UnroundedAccuracy);
            Assert.Equal(expected.Diagnostics.Count(d => !d.FallbackUsed) / 3.0, r.CrossingShare);
            Assert.Equal(expected.Diagnostics.Zip(truth).Count(p => p.First.TraceShowsLabel(p.Second, Settings[s].WarmUp)) / 3.0, r.Ceiling);
            using var ssim = ImageQuality.Ssim(quantised, clean).mean();
            Assert.Equal(ssim.item<float>(), r.MeanSsim!.Value, 1e-5);
        }
        // The settings differ: the constant trace crosses after w = 2 but not after w = 7.
        Assert.True(results[0].CrossingShare >= 1 / 3.0);
        Assert.Equal(0, results[2].CrossingShare);
    }

    [Fact]
    public void TheMappingIsComputedOnceForAllSettings()
    {
        var (traces, inputs, clean) = Chunk();
        using var _t = traces;
        using var _i = inputs;
        using var _c = clean;
        const int images = 3;
        var victim = new ThresholdClassifier();
        var pairs = new int[Settings.Length];
        var sweep = new PurifierSweep(victim, Settings);
        sweep.Add(traces, inputs, [0, 1, 1], onReconstructed: (s, r) => pairs[s] = r.Diagnostics.Sum(d => d.UsedPairs.Length));

        // N·M snapshots and N inputs once, then per setting P·(G − 1) grid points, N final labels and N labels of the quantised images.
        long perSetting = Enumerable.Range(0, Settings.Length).Sum(s => (long)pairs[s] * (Settings[s].GridSections - 1) + 2 * images);
        Assert.Equal(images * Snapshots + images + perSetting, victim.QueryCount);
        Assert.Equal(images * Snapshots, victim.CallSizes[0]);
        Assert.Equal(1, victim.CallSizes.Count(size => size == images * Snapshots));
        Assert.Null(sweep.Results[0].MeanSsim);
    }

    [Fact]
    public void ChunksAccumulateToTheWholeSweep()
    {
        var (traces, inputs, clean) = Chunk();
        using var _t = traces;
        using var _i = inputs;
        using var _c = clean;
        long[] truth = [0, 1, 1];
        var whole = PurifierSweep.Evaluate(new ThresholdClassifier(), Settings, traces, inputs, truth, clean);
        var chunked = new PurifierSweep(new ThresholdClassifier(), Settings);
        chunked.Add(traces.narrow(0, 0, 2), inputs.narrow(0, 0, 2), truth[..2], clean.narrow(0, 0, 2));
        chunked.Add(traces.narrow(0, 2, 1), inputs.narrow(0, 2, 1), truth[2..], clean.narrow(0, 2, 1));

        Assert.Equal(3, chunked.Count);
        for (int s = 0; s < Settings.Length; s++)
        {
            var a = whole[s];
            var b = chunked.Results[s];
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.Accuracy, b.Accuracy);
            Assert.Equal(a.CrossingShare, b.CrossingShare);
            Assert.Equal(a.Ceiling, b.Ceiling);
            Assert.Equal(a.MeanSsim!.Value, b.MeanSsim!.Value, 1e-9);
        }
        Assert.Throws<ArgumentException>(() => chunked.Add(traces, inputs, truth));   // clean for some chunks only
    }

    [Fact]
    public void ASuppliedMappingGivesTheSameReconstructionWithoutMappingAgain()
    {
        var (traces, inputs, clean) = Chunk();
        using var _t = traces;
        using var _i = inputs;
        using var _c = clean;
        var victim = new ThresholdClassifier();
        var reconstruction = new DecisionSpaceReconstruction(victim, Base);
        using var direct = reconstruction.Reconstruct(traces, inputs);
        var mapping = reconstruction.Map(traces, inputs);
        Assert.Equal(3, mapping.Traces);
        Assert.Equal(Snapshots, mapping.Snapshots);
        victim.ResetQueryCount();
        using var reused = reconstruction.Reconstruct(traces, inputs, mapping);

        Assert.True(direct.Purified.equal(reused.Purified).all().item<bool>());
        for (int b = 0; b < 3; b++)
        {
            Assert.Equal(direct.Diagnostics[b].TraceLabels, reused.Diagnostics[b].TraceLabels);
            Assert.Equal(direct.Diagnostics[b].TraceSsim, reused.Diagnostics[b].TraceSsim);
            Assert.Equal(direct.Diagnostics[b].UsedPairs, reused.Diagnostics[b].UsedPairs);
            Assert.Equal(direct.Diagnostics[b].Lambdas, reused.Diagnostics[b].Lambdas);
        }
        int usedPairs = reused.Diagnostics.Sum(d => d.UsedPairs.Length);
        Assert.Equal(usedPairs * (Base.GridSections - 1) + 3, victim.QueryCount);   // no snapshot queried

        using var two = traces.narrow(0, 0, 2);
        using var twoInputs = inputs.narrow(0, 0, 2);
        Assert.Equal("mapping", Assert.Throws<ArgumentException>(() => reconstruction.Reconstruct(two, twoInputs, mapping)).ParamName);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var (traces, inputs, clean) = Chunk();
        using var _t = traces;
        using var _i = inputs;
        using var _c = clean;
        Assert.Throws<ArgumentException>(() => new PurifierSweep(new ThresholdClassifier(), []));
        Assert.Throws<ArgumentException>(() => new PurifierSweep(new ThresholdClassifier(), [Base with { WarmUp = 9 }]));
        var sweep = new PurifierSweep(new ThresholdClassifier(), [Base]);
        Assert.Equal("trueLabels", Assert.Throws<ArgumentException>(() => sweep.Add(traces, inputs, [0, 1])).ParamName);
        using var small = clean.narrow(0, 0, 2);
        Assert.Equal("clean", Assert.Throws<ArgumentException>(() => sweep.Add(traces, inputs, [0, 1, 1], small)).ParamName);
        Assert.Equal(0, sweep.Count);
    }
}
