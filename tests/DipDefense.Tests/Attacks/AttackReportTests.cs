using DipDefense.Attacks;

namespace DipDefense.Tests.Attacks;

public class AttackReportTests
{
    [Fact]
    public void Compute_GivesAccuraciesSuccessRateAndNorms()
    {
        using var scope = NewDisposeScope();
        var images = full(new long[] { 4, 1, 2, 2 }, 0.5f);
        var adversarial = images.clone();
        adversarial[0, 0, 0, 0] = 0.6f;                           // L∞ 0.1, L2 0.1
        adversarial[1] = full(new long[] { 1, 2, 2 }, 0.7f);      // L∞ 0.2, L2 0.4
        var labels = tensor(new long[] { 0, 1, 2, 3 });
        var clean = tensor(new long[] { 0, 1, 2, 0 });            // 3 correct
        var attacked = tensor(new long[] { 1, 1, 0, 0 });         // 1 correct; images 0 and 2 flipped

        var r = AttackReport.Compute(images, adversarial, labels, clean, attacked);

        Assert.Equal(4, r.Count);
        Assert.Equal(3, r.CleanCorrect);
        Assert.Equal(1, r.AdversarialCorrect);
        Assert.Equal(2, r.Successes);
        Assert.Equal(0.75, r.CleanAccuracy, 12);
        Assert.Equal(0.25, r.AdversarialAccuracy, 12);
        Assert.Equal(2.0 / 3, r.SuccessRate, 12);
        Assert.Equal((0.1 + 0.2) / 4, r.MeanLinf, 6);
        Assert.Equal(0.2, r.MaxLinf, 6);
        Assert.Equal((0.1 + 0.4) / 4, r.MeanL2, 6);
        Assert.Equal(0.4, r.MaxL2, 6);
    }

    [Fact]
    public void Compute_RejectsMismatchedShapes()
    {
        using var scope = NewDisposeScope();
        var images = zeros(2, 1, 2, 2);
        var adversarial = zeros(2, 1, 2, 3);
        var labels = zeros(2, ScalarType.Int64);
        Assert.Equal("adversarial", Assert.Throws<ArgumentException>(
            () => AttackReport.Compute(images, adversarial, labels, labels, labels)).ParamName);
    }
}
