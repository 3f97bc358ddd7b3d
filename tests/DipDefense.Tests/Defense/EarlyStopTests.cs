using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Tests.Dip;
using DipDefense.Victims;

namespace DipDefense.Tests.Defense;

/// <summary>
/// The early stops per trace, <see cref="PurifierOptions.SettledFit"/> and <see cref="PurifierOptions.MarkedHorizon"/>: the
/// reconstruction cuts a full trace where a stop would have ended it, and the purifier, which stops the fit there, returns
/// the same bytes.
/// </summary>
public class EarlyStopTests
{
    private const int Side = 16;

    private static readonly PurifierOptions EightSnapshots = new()
    {
        Trace = new() { Iterations = 8, Snapshots = 8 },
        Selection = PurifierSelection.Vote,
        Seeds = 1,
        WarmUp = 1,
        GateFrom = 0.1,     // the window [1, 2): the stop may come after snapshot 1
        GateTo = 0.2,
        PoorFit = 0.98,
        AmbiguousMargin = PurifierOptions.AmbiguousMarginOff,
        SettledFit = 0.99,
        MarkedHorizon = 1,      // the tests of the marked stop set it
    };

    private static PurificationResult Reconstruct(PurifierOptions options, double[] values, double input, IClassifier? victim = null)
    {
        using var snapshots = stack(values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray());
        using var x = full([1, Side, Side], input, ScalarType.Float32);
        return new DecisionSpaceReconstruction(victim ?? new ThresholdClassifier(), options).ReconstructOne(snapshots, x);
    }

    [Fact]
    public void ATraceThatCarriesTheInputsLabelAndFitsItIsCutThereAndPassesThrough()
    {
        // Labels (threshold 0.5): 0 1 1 1 1 1 0 0 for an input labelled 1; snapshots 1–5 equal the input (SSIM 1).
        double[] values = [0.3, 0.6, 0.6, 0.6, 0.6, 0.6, 0.3, 0.3];
        using var full = Reconstruct(EightSnapshots with { SettledFit = PurifierOptions.SettledFitOff }, values, 0.6);
        using var cut = Reconstruct(EightSnapshots, values, 0.6);

        var whole = Assert.Single(full.Diagnostics);
        Assert.False(whole.PassedThrough);          // the last snapshots change the label: marked
        Assert.Equal(1, whole.TraceShare);
        var stopped = Assert.Single(cut.Diagnostics);
        Assert.True(stopped.PassedThrough);          // cut after snapshot 1: it ends on the input's label, fitting it
        Assert.Equal(2.0 / 8, stopped.TraceShare);
        Assert.Equal(new long[] { 0, 1, 1, 1, 1, 1, 1, 1 }, stopped.TraceLabels);
        Assert.Equal(1, stopped.FinalLabel);
    }

    [Theory]
    [InlineData(PurifierSelection.Paper)]
    [InlineData(PurifierSelection.SupportGate)]
    public void TheStopsAreTheVotesTheOtherModesReadEveryTraceToItsEnd(PurifierSelection selection)
    {
        double[] values = [0.3, 0.6, 0.6, 0.6, 0.6, 0.6, 0.3, 0.3];
        var options = EightSnapshots with { Selection = selection, MarkedHorizon = 0.5 };
        Assert.False(options.SettledStopOn);
        Assert.Equal(-1, options.MarkedCut(8));
        using var result = Reconstruct(options, values, 0.6);
        Assert.Equal(1, Assert.Single(result.Diagnostics).TraceShare);
    }

    [Fact]
    public void AStoppedTraceDoesNotMarkItsInputEvenWhenItsFitIsBelowThePoorFit()
    {
        // Snapshots 1–7 carry the input's label 1 and fit it with SSIM ≈ 0.969, below φ_p 0.98: the full trace is marked by its fit.
        double[] values = [0.3, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];
        using var full = Reconstruct(EightSnapshots with { SettledFit = PurifierOptions.SettledFitOff }, values, 0.9);
        Assert.False(Assert.Single(full.Diagnostics).PassedThrough);
        using var cut = Reconstruct(EightSnapshots with { SettledFit = 0.96 }, values, 0.9);
        var stopped = Assert.Single(cut.Diagnostics);
        Assert.True(stopped.PassedThrough);
        Assert.Equal(2.0 / 8, stopped.TraceShare);
    }

    [Fact]
    public void ATraceWithAnotherLabelAfterTheWarmUpOrAPoorFitRunsToTheEnd()
    {
        // Snapshot 1 (= w) carries label 0: the trace can no longer stop, though later snapshots fit the input.
        using var changed = Reconstruct(EightSnapshots, [0.3, 0.3, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6], 0.6);
        Assert.Equal(1, Assert.Single(changed.Diagnostics).TraceShare);
        // Snapshots carry the input's label but none fits it closely enough.
        using var loose = Reconstruct(EightSnapshots, [0.3, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8], 0.6);
        Assert.Equal(1, Assert.Single(loose.Diagnostics).TraceShare);
    }

    [Fact]
    public void AMarkedTraceIsReadUpToTheMarkedHorizonOnly()
    {
        // Prototypes 0.2, 0.5, 0.8: the input is class 2; snapshots 1–3 are class 1 (marked after w = 1, support below θ),
        // the last four class 0, which wins the vote over the whole trace.
        double[] values = [0.8, 0.45, 0.5, 0.55, 0.2, 0.2, 0.2, 0.2];
        var options = EightSnapshots with { SettledFit = PurifierOptions.SettledFitOff, GateThreshold = 1, MarkedHorizon = 0.5 };
        using var whole = Reconstruct(options with { MarkedHorizon = 1 }, values, 0.8, new PrototypeClassifier());
        Assert.Equal(0, whole.Diagnostics[0].VotedClass);
        Assert.Equal(1, whole.Diagnostics[0].TraceShare);

        using var cut = Reconstruct(options, values, 0.8, new PrototypeClassifier());
        var d = Assert.Single(cut.Diagnostics);
        Assert.Equal(1, d.VotedClass);               // snapshots 1–3 only: round(0.5 · 8) − 1 = 3 is the last read
        Assert.Equal(2, d.VotedSnapshot);            // 0.5, the prototype of class 1
        Assert.Equal(4.0 / 8, d.TraceShare);
        Assert.Equal(1, d.FinalLabel);

        // Below the ambiguous margin (the victim's margin on the input is 4.5) its own label may vote, which reads the final fit: not cut.
        using var ambiguous = Reconstruct(options with { AmbiguousMargin = 10 }, values, 0.8, new PrototypeClassifier());
        Assert.Equal(1, ambiguous.Diagnostics[0].TraceShare);
    }

    [Fact]
    public void ATraceNotMarkedByTheMarkedHorizonRunsOn()
    {
        // The label changes after the cut (snapshot 5): the trace is marked, but only later, so it is read to its end.
        double[] values = [0.8, 0.8, 0.8, 0.8, 0.8, 0.2, 0.2, 0.2];
        var options = EightSnapshots with { SettledFit = PurifierOptions.SettledFitOff, GateThreshold = 1, MarkedHorizon = 0.5 };
        using var result = Reconstruct(options, values, 0.8, new PrototypeClassifier());
        var d = Assert.Single(result.Diagnostics);
        Assert.False(d.PassedThrough);
        Assert.Equal(1, d.TraceShare);
    }

    [Fact]
    public void AMarkedHorizonOutsideItsRangeIsRefusedByNameAndItsCutWaitsForTheGateWindow()
    {
        var ok = new PurifierOptions { MarkedHorizon = 0.5 };
        ok.Validate();
        Assert.Equal(99, ok.MarkedCut(200));
        foreach (double bad in new[] { 0, 1.5, double.NaN, -0.5 })
            Assert.Contains("MarkedHorizon", Assert.Throws<ArgumentException>(() => (ok with { MarkedHorizon = bad }).Validate()).Message);
        Assert.Equal(59, (ok with { MarkedHorizon = 0.2 }).MarkedCut(200));              // not before the gate window ends
        Assert.Equal(79, (ok with { MarkedHorizon = 0.6, Horizon = 0.4 }).MarkedCut(200));  // not after the horizon
        Assert.Equal(-1, (ok with { MarkedHorizon = 1 }).MarkedCut(200));
        Assert.Equal(-1, (ok with { Selection = PurifierSelection.Paper }).MarkedCut(200));  // the vote's stop
    }

    [Fact]
    public void ASettledFitOutsideItsRangeIsRefusedByName()
    {
        var ok = new PurifierOptions { PoorFit = 0.98, SettledFit = 0.95 };
        ok.Validate();
        (ok with { SettledFit = PurifierOptions.SettledFitOff }).Validate();
        foreach (double bad in new[] { 1.01, double.NaN, -1 })
            Assert.Contains("SettledFit", Assert.Throws<ArgumentException>(() => (ok with { SettledFit = bad }).Validate()).Message);
    }

    /// <summary>Two traces (the vote) of the three test images, 20 snapshots, batch 2, with the given stops.</summary>
    private static PurifierOptions TwoTracesOfThreeImages(double settledFit, double markedHorizon) => new()
    {
        Trace = new() { Iterations = 40, Snapshots = 20, Network = DipNetworkConfig.Small },
        Selection = PurifierSelection.Vote,
        Seeds = 2,
        WarmUp = 2,
        GateFrom = 0.1,
        GateTo = 0.3,
        PoorFit = PurifierOptions.PoorFitOff,
        AmbiguousMargin = PurifierOptions.AmbiguousMarginOff,
        SettledFit = settledFit,
        MarkedHorizon = markedHorizon,
        BatchSize = 2,
    };

    /// <summary>The K = 2 traces of the three images run to the end: rows 0–2 trace 0, rows 3–5 trace 1.</summary>
    private static DipTraceResult FullTraces(Tensor images, PurifierOptions options)
    {
        using var targets = cat([images, images], 0);
        return new DipTraceRunner(options.Trace).Run(targets, seeds: options.TraceSeeds(0, 3));
    }

    [Theory]
    [InlineData(0.05, 1, false)]
    [InlineData(0, 0.5, true)]       // many class boundaries: traces change label after w and are marked
    [InlineData(0.05, 0.5, true)]
    public void ThePurifierStopsTracesDuringTheFitAndMatchesTheFullTracesCutByTheReconstruction(double settledFit, double markedHorizon, bool bins)
    {
        using var images = SyntheticImages.GradientWithSquare(3, 3, Side, Side);
        var options = TwoTracesOfThreeImages(settledFit, markedHorizon);
        IClassifier victim = bins ? new BrightnessBinsClassifier() : new PrototypeClassifier();
        using var purified = new DecisionSpacePurifier(victim, options).Purify(images);
        using var alone = new DecisionSpacePurifier(victim, options with { BatchSize = 1 }).Purify(images);
        using var unrefilled = new DecisionSpacePurifier(victim, options with { RefillBatches = 1 }).Purify(images);

        // The same K traces run to the end, then cut by the reconstruction.
        using var full = FullTraces(images, options);
        Tensor[] traces = [full.Snapshots.narrow(0, 0, 3), full.Snapshots.narrow(0, 3, 3)];
        using var cut = new DecisionSpaceReconstruction(victim, options).Reconstruct(traces, images);

        Assert.Contains(purified.Diagnostics, d => d.TraceShare < 1);     // the stop ended some traces
        Assert.True(purified.Purified.equal(cut.Purified).all().item<bool>());
        Assert.True(alone.Purified.equal(cut.Purified).all().item<bool>());
        Assert.True(unrefilled.Purified.equal(cut.Purified).all().item<bool>());
        Assert.Equal(cut.Diagnostics.Select(d => d.TraceShare), purified.Diagnostics.Select(d => d.TraceShare));
        Assert.Equal(cut.Diagnostics.Select(d => d.FinalLabel), purified.Diagnostics.Select(d => d.FinalLabel));
    }

    [Theory]
    [InlineData(0.05, 1, false)]
    [InlineData(0.05, 0.5, true)]
    public void ThePurifierAsksTheVictimAboutEachSnapshotOnceAndNotAfterATracesStop(double settledFit, double markedHorizon, bool bins)
    {
        using var images = SyntheticImages.GradientWithSquare(3, 3, Side, Side);
        var options = TwoTracesOfThreeImages(settledFit, markedHorizon);
        var victim = new RecordingClassifier(bins ? new BrightnessBinsClassifier() : new PrototypeClassifier());
        using var purified = new DecisionSpacePurifier(victim, options).Purify(images);

        using var full = FullTraces(images, options);
        var asked = victim.Asked.GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
        // The final label is asked about each output, which may be one of the snapshots: those queries are not the mapping's.
        for (int b = 0; b < 3; b++)
            asked[RecordingClassifier.Hash(purified.Purified[b])]--;
        int stoppedTraces = 0;
        for (int r = 0; r < 6; r++)
        {
            int[] counts = [.. Enumerable.Range(0, 20).Select(i => asked.GetValueOrDefault(RecordingClassifier.Hash(full.Snapshots[r, i])))];
            Assert.True(counts.All(c => c <= 1), $"trace {r}: {string.Join(",", counts)}; stops {string.Join(",", purified.Diagnostics.Select(d => d.TraceShare))}");
            // The snapshots a trace fitted are asked about, up to its stop; those after it are never fitted.
            int last = Array.FindLastIndex(counts, c => c == 1);
            Assert.True(last >= 0);
            Assert.All(counts.Take(last + 1), c => Assert.Equal(1, c));
            if (last < 19)
                stoppedTraces++;
        }
        Assert.True(stoppedTraces > 0);
    }

    /// <summary>Forwards to a victim and records a hash of every image it is asked about.</summary>
    private sealed class RecordingClassifier(IClassifier inner) : IClassifier
    {
        public List<string> Asked { get; } = [];

        public int NumClasses => inner.NumClasses;

        public long QueryCount => inner.QueryCount;

        public void ResetQueryCount() => inner.ResetQueryCount();

        public Tensor Logits(Tensor images) => inner.Logits(Record(images));

        public Tensor Predict(Tensor images) => inner.Predict(Record(images));

        public static string Hash(Tensor image)
        {
            using var cpu = image.contiguous().cpu();
            float[] values = cpu.data<float>().ToArray();
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
        }

        private Tensor Record(Tensor images)
        {
            string[] hashes = [.. Enumerable.Range(0, (int)images.shape[0]).Select(r => { using var row = images[r]; return Hash(row); })];
            lock (Asked)
                Asked.AddRange(hashes);
            return images;
        }
    }
}
