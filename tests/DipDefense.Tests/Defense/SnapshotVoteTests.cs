using DipDefense.Defense;

namespace DipDefense.Tests.Defense;

/// <summary>
/// <see cref="SnapshotVote"/> on hand-made labels and probabilities, and <see cref="PurifierSelection.Vote"/> end to end on
/// constant snapshots with a victim of known probabilities (<see cref="PrototypeClassifier"/>).
/// </summary>
public class SnapshotVoteTests
{
    private const int Side = 16;

    [Fact]
    public void ALateLabelChangeMarksAnInputOnlyBelowTheThreshold()
    {
        long[] labels = [0, 0, 1, 0, 0];
        Assert.True(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 2, support: 0.5, threshold: 0.7, finalFit: 0.99));
        Assert.False(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 2, support: 0.7, threshold: 0.7, finalFit: 0.99));
        Assert.False(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 3, support: 0.5, threshold: 0.7, finalFit: 0.99)); // the change is before w
    }

    [Fact]
    public void ALastSnapshotThatIsNotLabelledYPrimeMarksTheInputWhateverItsSupport()
    {
        Assert.True(SnapshotVote.MarksAdversarial([0, 0, 0, 1], inputLabel: 0, warmUp: 3, support: 1.0, threshold: 0.7, finalFit: 0.99));
        Assert.False(SnapshotVote.MarksAdversarial([1, 1, 0, 0], inputLabel: 0, warmUp: 2, support: 0.0, threshold: 0.7, finalFit: 0.99));
    }

    [Fact]
    public void APoorFinalFitMarksAnInputWhoseLabelsAllAgreeWithYPrime()
    {
        long[] labels = [0, 0, 0, 0];
        Assert.True(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 1, support: 1.0, threshold: 0.7, finalFit: 0.96, poorFit: 0.97));
        Assert.False(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 1, support: 1.0, threshold: 0.7, finalFit: 0.97, poorFit: 0.97));
        Assert.False(SnapshotVote.MarksAdversarial(labels, inputLabel: 0, warmUp: 1, support: 1.0, threshold: 0.7, finalFit: 0.0, poorFit: 0)); // off
    }

    [Fact]
    public void ALateLabelChangeMarksAnInputOnlyWhenItsFinalFitIsBelowTheLateChangeFit()
    {
        long[] labels = [0, 0, 1, 0, 0];
        Assert.True(SnapshotVote.MarksAdversarial(labels, 0, warmUp: 2, support: 0.5, threshold: 0.7, finalFit: 0.98, lateChangeFit: 0.99));
        Assert.False(SnapshotVote.MarksAdversarial(labels, 0, warmUp: 2, support: 0.5, threshold: 0.7, finalFit: 0.99, lateChangeFit: 0.99));
        Assert.True(SnapshotVote.MarksAdversarial(labels, 0, warmUp: 2, support: 0.5, threshold: 0.7, finalFit: 1.0, lateChangeFit: 1)); // no condition
        // The last-label rule does not look at the fit.
        Assert.True(SnapshotVote.MarksAdversarial([0, 0, 0, 1], 0, warmUp: 2, support: 1.0, threshold: 0.7, finalFit: 1.0, lateChangeFit: 0.5));
    }

    [Fact]
    public void TheVoteSumsProbabilitiesFromWarmUpOnLeavesYPrimeOutAndTakesTheEarliestBestSnapshot()
    {
        double[] p =
        [
            0.1, 0.8, 0.1,    // snapshot 0: before w = 1, does not vote (with it, class 1 would win: 1.15 > 0.75)
            0.6, 0.1, 0.3,    // snapshot 1
            0.5, 0.2, 0.3,    // snapshot 2
            0.9, 0.05, 0.05,  // snapshot 3
        ];
        // Class 0 (y′) has the largest sum, 2.0, and is left out; class 2 sums 0.65 > class 1's 0.35.
        var (voted, snapshot) = SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 1);
        Assert.Equal(2, voted);
        Assert.Equal(1, snapshot);   // p_2 = 0.3 at snapshots 1 and 2: the earliest
        Assert.Equal((1L, 0), SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 0));
    }

    [Fact]
    public void AnOwnLabelWeightLetsYPrimeVoteAndWinWhenItsWeightedSumIsLargest()
    {
        double[] p =
        [
            0.6, 0.1, 0.3,    // snapshot 0
            0.5, 0.2, 0.3,    // snapshot 1
            0.9, 0.05, 0.05,  // snapshot 2
        ];
        // y′ = 0 sums 2.0, class 2 sums 0.65: y′ wins from λ = 0.325 on (ties included), and its best snapshot is 2.
        Assert.Equal((2L, 0), SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 0, ownLabelWeight: 0));
        Assert.Equal((2L, 0), SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 0, ownLabelWeight: 0.3));
        Assert.Equal((0L, 2), SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 0, ownLabelWeight: 0.325));
        Assert.Equal((0L, 2), SnapshotVote.Choose(p, classes: 3, inputLabel: 0, warmUp: 0, ownLabelWeight: 1));
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheirNames()
    {
        double[] p = [0.5, 0.5, 0.5, 0.5];
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => SnapshotVote.MarksAdversarial([], 0, 0, 0, 0.5, 1)).ParamName);
        Assert.Equal("warmUp", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.MarksAdversarial([0, 0], 0, 2, 0, 0.5, 1)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 1, 0, 0)).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => SnapshotVote.Choose(p, 3, 0, 0)).ParamName);
        Assert.Equal("inputLabel", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 2, 2, 0)).ParamName);
        Assert.Equal("warmUp", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 2, 0, 2)).ParamName);
        Assert.Equal("ownLabelWeight", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 2, 0, 0, -0.5)).ParamName);
        Assert.Equal("ownLabelWeight", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 2, 0, 0, double.PositiveInfinity)).ParamName);
        Assert.Equal("ownLabelWeight", Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotVote.Choose(p, 2, 0, 0, double.NaN)).ParamName);
    }

    // Snapshots of constant brightness; the victim's labels: 0.5 → 1, 0.2 → 0, 0.3 → 0, 0.8 → 2.
    private static readonly double[] Values = [0.5, 0.5, 0.2, 0.3, 0.8, 0.8];

    internal static readonly PurifierOptions Vote = new()
    {
        Trace = new() { Iterations = 6, Snapshots = 6 },
        Selection = PurifierSelection.Vote,
        Seeds = 1,      // one trace per input
        Horizon = 1,
        WarmUp = 2,
        Pairs = 1,
        GateFrom = 0,
        GateTo = 0.5,   // snapshots 0, 1, 2
        GateThreshold = 0.5,
        AmbiguousMargin = PurifierOptions.AmbiguousMarginOff,   // the tests of the margin set it
        SettledFit = PurifierOptions.SettledFitOff,             // every trace read to its end
        MarkedHorizon = 1,
    };

    private static PurificationResult Reconstruct(PurifierOptions options, double input)
    {
        using var snapshots = stack(Values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray());
        using var x = full([1, Side, Side], input, ScalarType.Float32);
        return new DecisionSpaceReconstruction(new PrototypeClassifier(), options).ReconstructOne(snapshots, x);
    }

    private static double Brightness(PurificationResult result) => result.Purified.mean().item<float>();

    [Fact]
    public void AMarkedInputGetsTheSnapshotThatBestShowsTheVotedClass()
    {
        // Input 0.8: y′ = 2, the last label is 2, but snapshots 2 and 3 (≥ w) are labelled 0 and the gate support is low.
        double support = Values.Take(3).Average(v => PrototypeClassifier.Probabilities(v)[2]);
        Assert.True(support < 0.5);
        double[] votes = [.. Enumerable.Range(0, 3).Select(k => Values.Skip(2).Sum(v => PrototypeClassifier.Probabilities(v)[k]))];
        Assert.True(votes[0] > votes[1]);   // class 0 wins the vote without y′

        using var result = Reconstruct(Vote, input: 0.8);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(2, d.InputLabel);
        Assert.Equal(support, d.GateSupport!.Value, 6);
        Assert.False(d.PassedThrough);
        Assert.False(d.FallbackUsed);
        Assert.Empty(d.UsedPairs);
        Assert.Equal(0, d.VotedClass);
        Assert.Equal(2, d.VotedSnapshot);          // brightness 0.2: the largest p_0
        Assert.Equal(0.2, Brightness(result), 6);
        Assert.Equal(0, d.FinalLabel);
    }

    [Fact]
    public void AMarkedInputBelowTheAmbiguousMarginVotesWithItsOwnLabel()
    {
        // Input 0.8: y′ = 2 with logit margin 50·(0.8 − 0.5)² = 4.5 over class 1. Without y′ class 0 wins the vote; with
        // λ = 1, y′'s sum over snapshots 2–5 (two snapshots at 0.8) is larger than class 0's (snapshots at 0.2 and 0.3).
        double[] votes = [.. Enumerable.Range(0, 3).Select(k => Values.Skip(2).Sum(v => PrototypeClassifier.Probabilities(v)[k]))];
        Assert.True(votes[2] > votes[0] && votes[0] > votes[1]);

        using var ambiguous = Reconstruct(Vote with { AmbiguousMargin = 5, OwnLabelWeight = 1 }, input: 0.8);
        var d = Assert.Single(ambiguous.Diagnostics);
        Assert.Equal(4.5, d.InputMargin, 4);
        Assert.False(d.PassedThrough);
        Assert.Equal(2, d.VotedClass);
        Assert.Equal(4, d.VotedSnapshot);          // brightness 0.8: the largest p_2, the earliest of two
        Assert.Equal(0.8, Brightness(ambiguous), 6);
        Assert.Equal(2, d.FinalLabel);

        // Above the margin, or with a weight too small to win, y′ stays out of the vote.
        using var confident = Reconstruct(Vote with { AmbiguousMargin = 4, OwnLabelWeight = 1 }, input: 0.8);
        Assert.Equal(0, Assert.Single(confident.Diagnostics).VotedClass);
        using var light = Reconstruct(Vote with { AmbiguousMargin = 5, OwnLabelWeight = votes[0] / votes[2] * 0.99 }, input: 0.8);
        Assert.Equal(0, Assert.Single(light.Diagnostics).VotedClass);
    }

    [Fact]
    public void AnInputBelowTheAmbiguousMarginVotesWithItsOwnLabelOnlyWhenItsFinalFitReachesTheAmbiguousFit()
    {
        // As above, with input 0.75 (y′ = 2, margin 50·0.25² = 3.1 < μ = 5; y′ wins with λ = 1), whose last snapshot (0.8)
        // fits it a little below SSIM 1, and the fit condition just below and just above that final fit.
        var ambiguous = Vote with { AmbiguousMargin = 5, OwnLabelWeight = 1 };
        using var reference = Reconstruct(ambiguous, input: 0.75);
        var d = Assert.Single(reference.Diagnostics);
        Assert.Equal(2, d.VotedClass);
        double finalFit = d.TraceSsim[^1];
        Assert.InRange(finalFit, 0.5, 0.99999);

        using var fitting = Reconstruct(ambiguous with { AmbiguousFit = finalFit * 0.999 }, input: 0.75);
        Assert.Equal(2, Assert.Single(fitting.Diagnostics).VotedClass);
        using var poorlyFitting = Reconstruct(ambiguous with { AmbiguousFit = Math.Min(1, finalFit * 1.001) }, input: 0.75);
        Assert.Equal(0, Assert.Single(poorlyFitting.Diagnostics).VotedClass);
    }

    [Fact]
    public void AnInputWhoseSupportReachesTheThresholdPassesThroughAsItsLastSnapshot()
    {
        using var result = Reconstruct(Vote with { GateThreshold = 0 }, input: 0.8);
        var d = Assert.Single(result.Diagnostics);
        Assert.True(d.PassedThrough);
        Assert.True(d.FallbackUsed);
        Assert.Null(d.VotedClass);
        Assert.Null(d.VotedSnapshot);
        Assert.Equal(0.8, Brightness(result), 6);
        Assert.Equal(2, d.FinalLabel);
    }

    [Fact]
    public void AnInputTheLastSnapshotReproducesPoorlyIsMarkedWhenThePoorFitThresholdIsAboveItsFinalFit()
    {
        // Input 0.75: y′ = 2 like the last snapshot (0.8), whose SSIM to it is just below 1; the gate (θ = 0) passes it.
        using var passed = Reconstruct(Vote with { GateThreshold = 0 }, input: 0.75);
        var through = Assert.Single(passed.Diagnostics);
        Assert.True(through.PassedThrough);
        double finalFit = through.TraceSsim[^1];
        Assert.InRange(finalFit, 0.99, 0.99999);

        using var marked = Reconstruct(Vote with { GateThreshold = 0, PoorFit = (finalFit + 1) / 2 }, input: 0.75);
        var d = Assert.Single(marked.Diagnostics);
        Assert.False(d.PassedThrough);
        Assert.Equal(0, d.VotedClass);
        Assert.Equal(0, d.FinalLabel);
    }

    [Fact]
    public void AnInputWhoseTraceEndsOnAnotherLabelIsMarkedEvenAtThresholdZero()
    {
        // Input 0.5: y′ = 1, the last label is 2. Without y′ the vote is between 0 and 2; 2 holds two snapshots at p ≈ 0.99.
        using var result = Reconstruct(Vote with { GateThreshold = 0 }, input: 0.5);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(1, d.InputLabel);
        Assert.False(d.PassedThrough);
        Assert.Equal(2, d.VotedClass);
        Assert.Equal(4, d.VotedSnapshot);   // snapshots 4 and 5 tie: the earliest
        Assert.Equal(2, d.FinalLabel);
    }

    [Fact]
    public void TheMappingHoldsEveryClassProbabilityOfEverySnapshot()
    {
        var victim = new PrototypeClassifier();
        using var snapshots = stack(Values.Select(v => full([1, Side, Side], v, ScalarType.Float32)).ToArray()).unsqueeze(0);
        using var x = full([1, 1, Side, Side], 0.8, ScalarType.Float32);
        var mapping = new DecisionSpaceReconstruction(victim, Vote).Map(snapshots, x);
        Assert.Equal(3, mapping.Classes);
        var p = mapping.ProbabilitiesOf(0);
        Assert.Equal(Values.Length * 3, p.Count);
        for (int i = 0; i < Values.Length; i++)
            for (int k = 0; k < 3; k++)
                Assert.Equal(PrototypeClassifier.Probabilities(Values[i])[k], p[i * 3 + k], 5);
    }
}
