using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Tests.Dip;

namespace DipDefense.Tests.Defense;

/// <summary>
/// <see cref="PurifierOptions.Horizon"/>: the reconstruction reads the snapshots before it only, and the purifier stops the
/// DIP fit there (<see cref="SnapshotLimit"/>), with the same output as a full trace cut at the horizon.
/// </summary>
public class HorizonTests
{
    private const int Side = 16;

    [Fact]
    public void TheReconstructionReadsOnlyTheSnapshotsBeforeTheHorizon()
    {
        // Labels (threshold 0.5): 0 1 0 1 | 1 1 0 0. With H = 0.5 the last snapshot read is index 3 (0.6).
        double[] values = [0.3, 0.6, 0.3, 0.6, 0.7, 0.7, 0.2, 0.2];
        using var snapshots = stack(values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray());
        using var input = full([1, Side, Side], 0.6, ScalarType.Float32);
        var options = new PurifierOptions
        {
            Trace = new() { Iterations = 8, Snapshots = 8 },
            Selection = PurifierSelection.Paper,
            WarmUp = 0,
            SsimThreshold = -1,
            Pairs = 8,
            Horizon = 0.5,
        };
        using var result = new DecisionSpaceReconstruction(new ThresholdClassifier(), options).ReconstructOne(snapshots, input);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(new long[] { 0, 1, 0, 1 }, d.TraceLabels);
        Assert.Equal(new[] { 0, 1, 2 }, d.Crossings);          // none from the later flips 5 → 6
    }

    [Fact]
    public void AHorizonThatCannotHoldTheWarmUpOrTheGateWindowIsRefusedByName()
    {
        var ok = new PurifierOptions { Selection = PurifierSelection.Vote, WarmUp = 40, GateFrom = 0.15, GateTo = 0.3, Horizon = 0.5 };
        ok.Validate();
        Assert.Contains("WarmUp", Assert.Throws<ArgumentException>(() => (ok with { WarmUp = 99 }).Validate()).Message);
        Assert.Contains("Horizon", Assert.Throws<ArgumentException>(() => (ok with { GateTo = 0.6 }).Validate()).Message);
        Assert.Contains("Horizon", Assert.Throws<ArgumentException>(() => (ok with { Horizon = 0 }).Validate()).Message);
        Assert.Contains("Horizon", Assert.Throws<ArgumentException>(() => (ok with { Horizon = 1.5 }).Validate()).Message);
        (ok with { Selection = PurifierSelection.Paper, GateTo = 0.6 }).Validate();   // no gate, no window to hold
    }

    [Fact]
    public void ThePurifierStopsTheFitAtTheHorizonAndMatchesAFullTraceCutThere()
    {
        using var images = SyntheticImages.GradientWithSquare(2, 3, Side, Side);
        var options = new PurifierOptions
        {
            Trace = new() { Iterations = 40, Snapshots = 20, Network = DipNetworkConfig.Small },
            Selection = PurifierSelection.Vote,
            Seeds = 1,      // one trace, cut by hand below
            WarmUp = 2,
            GateFrom = 0.1,
            GateTo = 0.3,
            Horizon = 0.5,
            BatchSize = 2,
        };
        var victim = new PrototypeClassifier();
        using var purified = new DecisionSpacePurifier(victim, options).Purify(images);

        // The same trace run to the end, cut at the horizon by the reconstruction.
        using var full = new DipTraceRunner(options.Trace).Run(images);
        using var cut = new DecisionSpaceReconstruction(victim, options).Reconstruct(full.Snapshots, images);
        Assert.True(purified.Purified.equal(cut.Purified).all().item<bool>());
        Assert.Equal(cut.Diagnostics.Select(d => d.FinalLabel), purified.Diagnostics.Select(d => d.FinalLabel));

        var limit = new SnapshotLimit(9);
        using var stopped = new DipTraceRunner(options.Trace).Run(images, stop: limit);
        Assert.All(stopped.StoppedAt, m => Assert.Equal(9, m));
    }
}
