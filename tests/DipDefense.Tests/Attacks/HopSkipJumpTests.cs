using DipDefense.Attacks;
using DipDefense.Victims;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class HopSkipJumpTests(TinyModelFixture f)
{
    private const int N = 16;

    private (Tensor Images, Tensor Labels) Batch() => (f.TestImages.narrow(0, 0, N), f.TestLabels.narrow(0, 0, N));

    [Theory]
    [InlineData(PerturbationNorm.L2, 100)]
    [InlineData(PerturbationNorm.L2, 1000)]
    [InlineData(PerturbationNorm.Linf, 300)]
    public void RespectsTheQueryBudget(PerturbationNorm norm, int budget)
    {
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        var attack = new HopSkipJump(classifier, norm, maxQueries: budget);
        using var adv = attack.Run(images, labels);

        Assert.True(classifier.QueryCount <= (long)budget * N, $"{classifier.QueryCount} queries > {budget} × {N}");
        Assert.Equal(classifier.QueryCount, attack.LastQueryCounts.Sum());
        Assert.All(attack.LastQueryCounts, q => Assert.InRange(q, 1, budget));
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
    }

    [Fact]
    public void LargerBudget_FindsSmallerPerturbations_AndLowersAccuracyWithinARadius()
    {
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        const double radius = 1.5; // L2; the minimal adversarial perturbations (DDN) are ≈ 0.45

        double RobustAccuracy(int budget, out AttackReport report)
        {
            using var adv = new HopSkipJump(classifier, maxQueries: budget).Run(images, labels);
            report = AttackReport.Compute(f.Model, images, adv, labels);
            using var scope = NewDisposeScope();
            using var __ = no_grad();
            var correct = f.Model.call(adv).argmax(1).eq(labels);
            var far = (adv - images).flatten(1).square().sum(1).sqrt().gt(radius);
            return correct.logical_or(far).to_type(ScalarType.Float32).mean().item<float>();
        }

        double small = RobustAccuracy(60, out var smallReport);
        double large = RobustAccuracy(1000, out var largeReport);
        Assert.True(largeReport.AdversarialAccuracy <= 0.1, largeReport.ToString());
        Assert.True(largeReport.MeanL2 < smallReport.MeanL2, $"{smallReport} vs {largeReport}");
        Assert.True(large <= small - 0.5, $"accuracy within L2 ≤ {radius}: {small} (60 queries) vs {large} (1000 queries)");
    }

    [Fact]
    public void SameSeed_GivesIdenticalOutput()
    {
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        using var first = new HopSkipJump(classifier, maxQueries: 300, seed: 7).Run(images, labels);
        using (var _ = rand(100)) { } // advance the global RNG
        using var second = new HopSkipJump(classifier, maxQueries: 300, seed: 7).Run(images, labels);
        using var other = new HopSkipJump(classifier, maxQueries: 300, seed: 8).Run(images, labels);
        Assert.True(Tensors.Same(first, second));
        Assert.False(Tensors.Same(first, other));
    }

    [Fact]
    public void TinyBudget_ReturnsOriginalsWhereNothingWasFound()
    {
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        using var adv = new HopSkipJump(classifier, maxQueries: 1).Run(images, labels);
        Assert.True(Tensors.Same(adv, images)); // the one query is the clean prediction
        Assert.Equal(N, classifier.QueryCount);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        Assert.Equal("maxQueries", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(classifier, maxQueries: 0)).ParamName);
        Assert.Equal("initEval", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(classifier, maxEval: 10, initEval: 20)).ParamName);
        Assert.Equal("norm", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(classifier, (PerturbationNorm)7)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(classifier, gamma: double.NaN)).ParamName);
        Assert.Equal("classifier", Assert.Throws<ArgumentNullException>(() => new HopSkipJump(null!)).ParamName);

        using var images = f.TestImages.narrow(0, 0, 2);
        using var labels = tensor(new long[] { 0, TinyModelFixture.Classes });
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new HopSkipJump(classifier).Run(images, labels)).ParamName);
    }
}
