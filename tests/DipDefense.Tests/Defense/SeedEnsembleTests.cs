using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Tests.Dip;

namespace DipDefense.Tests.Defense;

/// <summary>
/// K traces per image (<see cref="PurifierOptions.Seeds"/>): the vote over several traces, the marking rule (all K must
/// mark, or a quorum of them), the seeds of the purifier's traces, and the sweep reading the first K traces.
/// </summary>
public class SeedEnsembleTests
{
    private const int Side = 16;

    // Constant-brightness snapshots; PrototypeClassifier labels 0.15–0.3 → 0, 0.5 → 1, 0.8 → 2.
    private static readonly double[] Marks = [0.5, 0.5, 0.2, 0.3, 0.8, 0.8];        // input 0.8: a late change with low support
    private static readonly double[] AlsoMarks = [0.5, 0.5, 0.3, 0.15, 0.8, 0.8];
    private static readonly double[] Agrees = [0.8, 0.8, 0.8, 0.8, 0.8, 0.78];      // input 0.8: all labelled y′ = 2, a close fit

    // SnapshotVoteTests' one-trace vote (w 2, gate over snapshots 0–2, θ 0.5) with two traces.
    private static readonly PurifierOptions Vote = SnapshotVoteTests.Vote with { Seeds = 2 };

    private static Tensor Trace(params double[][] images) =>
        stack(images.Select(values => stack(values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray())).ToArray());

    private static Tensor Inputs(params double[] values) => stack(values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray());

    [Fact]
    public void TheVoteOverSeveralTracesSumsAllOfThemAndTakesTheBestSnapshotOfAny()
    {
        double[] first =
        [
            0.2, 0.7, 0.1,   // snapshot 0
            0.2, 0.3, 0.5,   // snapshot 1
        ];
        double[] second =
        [
            0.2, 0.2, 0.6,   // snapshot 0
            0.1, 0.1, 0.8,   // snapshot 1
        ];
        // y′ = 0 is left out. Alone, the first trace votes class 1 (1.0 > 0.6); together class 2 wins (2.0 > 1.3),
        // and its best snapshot is the second trace's snapshot 1 (p_2 = 0.8).
        Assert.Equal((1L, 0), SnapshotVote.Choose(first, classes: 3, inputLabel: 0, warmUp: 0));
        Assert.Equal((2L, 1, 1), SnapshotVote.Choose([first, second], classes: 3, inputLabel: 0, warmUp: 0));
        // One trace in a list votes as the one-trace vote; ties go to the earliest trace.
        Assert.Equal((1L, 0, 0), SnapshotVote.Choose([first], classes: 3, inputLabel: 0, warmUp: 0));
        Assert.Equal((1L, 0, 0), SnapshotVote.Choose([first, first], classes: 3, inputLabel: 0, warmUp: 0));
    }

    [Fact]
    public void TracesOfDifferentLengthsEachVoteWithTheirOwnSnapshots()
    {
        double[] two = [0.2, 0.8, 0.0, 0.2, 0.8, 0.0];     // two snapshots of class 1
        double[] one = [0.1, 0.0, 0.9];                     // one snapshot of class 2
        Assert.Equal((1L, 0, 0), SnapshotVote.Choose([two, one], classes: 3, inputLabel: 0, warmUp: 0));   // 1.6 > 0.9
        double[] three = [.. one, .. one, .. one];
        Assert.Equal((2L, 1, 0), SnapshotVote.Choose([two, three], classes: 3, inputLabel: 0, warmUp: 0)); // 2.7 > 1.6
    }

    [Fact]
    public void BadTraceListsAreRefused()
    {
        double[] p = [0.5, 0.5, 0.5, 0.5];
        Assert.Equal("traces", Assert.Throws<ArgumentException>(() => SnapshotVote.Choose(Array.Empty<IReadOnlyList<double>>(), 2, 0, 0)).ParamName);
        Assert.Equal("traces", Assert.Throws<ArgumentException>(() => SnapshotVote.Choose([p, [0.5, 0.5, 0.5]], 2, 0, 0)).ParamName);
        // Traces may differ in length (a cut one), but each must reach w.
        Assert.Equal("warmUp", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose([p, [0.5, 0.5]], 2, 0, 1)).ParamName);
    }

    [Fact]
    public void AnInputIsMarkedOnlyWhenEveryTraceMarksIt()
    {
        using var inputs = Inputs(0.8);
        using var marks = Trace(Marks);
        using var agrees = Trace(Agrees);
        var reconstruction = new DecisionSpaceReconstruction(new PrototypeClassifier(), Vote);

        using var one = reconstruction.Reconstruct([marks, agrees], inputs);
        var d = Assert.Single(one.Diagnostics);
        Assert.Equal(2, d.Traces);
        Assert.Equal(1, d.MarkingTraces);
        Assert.True(d.PassedThrough);
        Assert.Equal(1, d.OutputTrace);                                // the first trace that does not mark it
        Assert.Equal(0.78, one.Purified.mean().item<float>(), 6);   // its last snapshot
        Assert.Equal(2, d.FinalLabel);

        // Alone, the first trace marks the input and votes class 0.
        using var alone = new DecisionSpaceReconstruction(new PrototypeClassifier(), Vote with { Seeds = 1 }).Reconstruct(marks, inputs);
        Assert.Equal(1, alone.Diagnostics[0].MarkingTraces);
        Assert.False(alone.Diagnostics[0].PassedThrough);
        Assert.Equal(0, alone.Diagnostics[0].FinalLabel);
    }

    [Fact]
    public void AQuorumBelowKMarksAnInputThatFewerTracesMarkAndItVotesOverAllOfThem()
    {
        using var inputs = Inputs(0.8);
        using var marks = Trace(Marks);
        using var agrees = Trace(Agrees);
        using var alsoMarks = Trace(AlsoMarks);
        var three = Vote with { Seeds = 3 };

        // Two of three traces mark it: not marked when all must, marked with q = 2 or 1.
        using (var all = new DecisionSpaceReconstruction(new PrototypeClassifier(), three).Reconstruct([agrees, marks, alsoMarks], inputs))
        {
            Assert.Equal(2, all.Diagnostics[0].MarkingTraces);
            Assert.True(all.Diagnostics[0].PassedThrough);
            Assert.Equal(0, all.Diagnostics[0].OutputTrace);
            Assert.Equal(2, all.Diagnostics[0].FinalLabel);
        }
        foreach (int quorum in new[] { 1, 2 })
        {
            using var result = new DecisionSpaceReconstruction(new PrototypeClassifier(), three with { MarkQuorum = quorum })
                .Reconstruct([agrees, marks, alsoMarks], inputs);
            var d = Assert.Single(result.Diagnostics);
            Assert.False(d.PassedThrough);
            Assert.Equal(0, d.VotedClass);
            Assert.Equal(2, d.OutputTrace);      // the best snapshot of any trace: the third's brightness 0.15
            Assert.Equal(3, d.VotedSnapshot);
            Assert.Equal(0, d.FinalLabel);
        }
        // q = 3 is q = 0 (all K), and a quorum above K is refused with its name.
        Assert.Equal(3, (three with { MarkQuorum = 3 }).MarksNeeded);
        Assert.Equal(3, three.MarksNeeded);
        Assert.Contains("MarkQuorum", Assert.Throws<ArgumentException>(() => (three with { MarkQuorum = 4 }).Validate()).Message);
        Assert.Contains("MarkQuorum", Assert.Throws<ArgumentException>(() => (three with { MarkQuorum = -1 }).Validate()).Message);
    }

    [Fact]
    public void AnInputAllTracesMarkGetsTheBestSnapshotOfAnyTrace()
    {
        // p_0 is larger at brightness 0.15 (second trace, snapshot 3) than at 0.2 (first trace, snapshot 2).
        Assert.True(PrototypeClassifier.Probabilities(0.15)[0] > PrototypeClassifier.Probabilities(0.2)[0]);
        using var inputs = Inputs(0.8);
        using var marks = Trace(Marks);
        using var alsoMarks = Trace(AlsoMarks);

        using var result = new DecisionSpaceReconstruction(new PrototypeClassifier(), Vote).Reconstruct([marks, alsoMarks], inputs);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(2, d.MarkingTraces);
        Assert.False(d.PassedThrough);
        Assert.Equal(0, d.VotedClass);
        Assert.Equal(1, d.OutputTrace);
        Assert.Equal(3, d.VotedSnapshot);
        Assert.Equal(0.15, result.Purified.mean().item<float>(), 6);
        Assert.Equal(0, d.FinalLabel);
        Assert.Equal(Marks.Select(v => v == 0.5 ? 1L : v == 0.8 ? 2L : 0L), d.TraceLabels);   // the first trace's
    }

    [Fact]
    public void TheNumberOfTracesMustBeTheOptionsSeeds()
    {
        using var inputs = Inputs(0.8);
        using var marks = Trace(Marks);
        var two = new DecisionSpaceReconstruction(new PrototypeClassifier(), Vote);
        Assert.Contains("Seeds = 2", Assert.Throws<ArgumentException>(() => two.Reconstruct(marks, inputs)).Message);
        Assert.Contains("Seeds = 2", Assert.Throws<ArgumentException>(() => two.Reconstruct([marks, marks, marks], inputs)).Message);
        using var shorter = Trace(Marks[..5]);
        Assert.Equal("traces", Assert.Throws<ArgumentException>(() => two.Reconstruct([marks, shorter], inputs)).ParamName);
        var mapping = two.Map(marks, inputs);
        Assert.Equal("mapping", Assert.Throws<ArgumentException>(() => two.Reconstruct([marks, marks], inputs, [mapping])).ParamName);
    }

    private static readonly PurifierOptions Tiny = new()
    {
        Trace = new DipTraceOptions { Iterations = 40, Snapshots = 8, Network = DipNetworkConfig.Small, Seed = 5 },
        Selection = PurifierSelection.Vote,
        Horizon = 1,
        WarmUp = 1,
        GateThreshold = 0.9,
        BatchSize = 3,
        Seeds = 2,
    };

    [Fact]
    public void ThePurifiersTraceKOfImageIHasSeedPlusStrideTimesKPlusI()
    {
        using var images = SyntheticImages.GradientWithSquare(3, 3, 16, 16);
        var victim = new BrightnessBinsClassifier();
        var progress = new List<PurificationProgress>();
        using var purified = new DecisionSpacePurifier(victim, Tiny).Purify(images, new Progress(progress));

        // The same traces run by hand: trace k of the chunk with seed Seed + 1000·k (the runner adds the image index).
        using var first = new DipTraceRunner(Tiny.Trace with { Seed = Tiny.TraceSeed(0, 0) }).Run(images);
        using var second = new DipTraceRunner(Tiny.Trace with { Seed = Tiny.TraceSeed(1, 0) }).Run(images);
        Assert.Equal(1005, Tiny.TraceSeed(1, 0));
        Assert.Equal(new long[] { 8, 9, 1008, 1009 }, Tiny.TraceSeeds(3, 2));   // trace-major, as the purifier runs a chunk
        Assert.Equal(new long[] { 8, 9 }, (Tiny with { Seeds = 1 }).TraceSeeds(3, 2));
        using var expected = new DecisionSpaceReconstruction(victim, Tiny).Reconstruct([first.Snapshots, second.Snapshots], images);
        Assert.True(purified.Purified.equal(expected.Purified).all().item<bool>());
        Assert.All(purified.Diagnostics, d => Assert.Equal(2, d.Traces));
        Assert.Equal(expected.Diagnostics.Select(d => d.MarkingTraces), purified.Diagnostics.Select(d => d.MarkingTraces));

        // The two traces differ; they run together, so progress counts T iterations.
        using var difference = (first.Snapshots - second.Snapshots).abs().max();
        Assert.True(difference.item<float>() > 1e-3f);
        var trace = progress.Where(p => p.Stage == PurificationStage.Trace).Select(p => p.Iteration).ToArray();
        Assert.Equal(new[] { 5, 10, 15, 20, 25, 30, 35, 40 }, trace);
        Assert.All(progress, p => Assert.Equal(40, p.Iterations));

        // Batched = unbatched holds for every trace.
        using var single = new DecisionSpacePurifier(victim, Tiny with { BatchSize = 1 }).Purify(images);
        using var gap = (single.Purified - purified.Purified).abs().max();
        Assert.True(gap.item<float>() <= 1e-5f, $"batch sizes 3 and 1 differ by {gap.item<float>()}");
    }

    [Fact]
    public void ThePapersSelectionRunsOneTraceWhateverSeedsSays()
    {
        using var images = SyntheticImages.GradientWithSquare(2, 3, 16, 16);
        var paper = Tiny with { Selection = PurifierSelection.Paper };
        Assert.Equal(2, paper.Seeds);
        using var purified = new DecisionSpacePurifier(new BrightnessBinsClassifier(), paper).Purify(images);
        using var one = new DecisionSpacePurifier(new BrightnessBinsClassifier(), paper with { Seeds = 1 }).Purify(images);
        Assert.All(purified.Diagnostics, d => Assert.Equal(1, d.Traces));
        Assert.True(purified.Purified.equal(one.Purified).all().item<bool>());
    }

    private sealed class Progress(List<PurificationProgress> reports) : IProgress<PurificationProgress>
    {
        public void Report(PurificationProgress value) => reports.Add(value);
    }

    [Fact]
    public void TheSweepGivesEachSettingItsFirstKTraces()
    {
        using var inputs = Inputs(0.8, 0.8);
        using var firstTraces = Trace(Marks, Marks);
        using var secondTraces = Trace(Agrees, AlsoMarks);
        PurifierOptions[] settings = [Vote with { Seeds = 1 }, Vote, Vote with { GateThreshold = 0 }];
        var sweep = new PurifierSweep(new PrototypeClassifier(), settings);
        Assert.Equal(2, sweep.MaxSeeds);
        var images = new Tensor[settings.Length];
        sweep.Add([firstTraces, secondTraces], inputs, [0, 0], onReconstructed: (s, r) => images[s] = r.Purified.clone());

        for (int s = 0; s < settings.Length; s++)
        {
            Tensor[] traces = settings[s].Seeds == 1 ? [firstTraces] : [firstTraces, secondTraces];
            using var expected = new DecisionSpaceReconstruction(new PrototypeClassifier(), settings[s]).Reconstruct(traces, inputs);
            using var image = images[s];
            Assert.True(expected.Purified.equal(image).all().item<bool>(), $"setting {s}: the images differ");
        }
        // One trace marks both inputs and votes 0; two traces pass the first input through (its second trace agrees with y′).
        Assert.Equal(new long[] { 0, 0 }, sweep.Results[0].Labels);
        Assert.Equal(new long[] { 2, 0 }, sweep.Results[1].Labels);

        var tooFew = new PurifierSweep(new PrototypeClassifier(), settings);
        Assert.Equal("traces", Assert.Throws<ArgumentException>(() => tooFew.Add(firstTraces, inputs, [0, 0])).ParamName);
    }
}
