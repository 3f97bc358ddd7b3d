using DipDefense.Attacks;
using DipDefense.Victims;

namespace DipDefense.Tests.Attacks;

public class AdversarialRoundingTests
{
    /// <summary>Label 1 when the mean pixel exceeds the threshold, else 0.</summary>
    sealed class BrightnessClassifier(double threshold) : IClassifier
    {
        public int NumClasses => 2;
        public long QueryCount { get; private set; }
        public void ResetQueryCount() => QueryCount = 0;
        public Tensor Logits(Tensor images)
        {
            QueryCount += images.shape[0];
            var score = images.mean([1, 2, 3]) - threshold;
            return torch.stack([-score, score], 1);
        }
        public Tensor Predict(Tensor images) => Logits(images).argmax(1);
    }

    [Fact]
    public void GrowsPerturbationsThatRoundingWouldUndoAndLeavesOthersPlainlyRounded()
    {
        // Image 0: clean mean 100/255, adversarial just above the threshold 100.3/255 (0.4/255 above the clean value):
        // plain rounding gives back 100/255, the true class. Image 1: its adversarial is not adversarial at all.
        var classifier = new BrightnessClassifier(100.3 / 255);
        using var clean = torch.full(2, 1, 4, 4, 100.0f / 255);
        using var adversarial = clean.clone();
        using (torch.no_grad())
        {
            adversarial[0].add_(0.4 / 255);
            adversarial[1].add_(0.1 / 255);
        }
        using var labels = torch.zeros(2, ScalarType.Int64);

        using var plain = DipDefense.Data.EightBitQuantization.Quantize(adversarial);
        Assert.Equal(new long[] { 0, 0 }, classifier.Predict(plain).data<long>().ToArray()); // the problem being fixed

        using var rounded = AdversarialRounding.ToEightBit(classifier, clean, adversarial, labels, maxScale: 3, step: 0.25);

        Assert.Equal(new long[] { 1, 0 }, classifier.Predict(rounded).data<long>().ToArray());
        Assert.True((rounded * 255 - (rounded * 255).round()).abs().max().item<float>() < 1e-4, "not on the 8-bit grid");
        Assert.Equal(101.0f / 255, rounded[0].max().item<float>(), 1e-6f); // δ grown until it rounds to one 1/255 step
        Assert.Equal(plain[1].data<float>().ToArray(), rounded[1].data<float>().ToArray());
    }

    [Fact]
    public void RejectsScalesBelowOne()
    {
        var classifier = new BrightnessClassifier(0.5);
        using var x = torch.zeros(1, 1, 2, 2);
        using var y = torch.zeros(1, ScalarType.Int64);
        Assert.Throws<ArgumentOutOfRangeException>("maxScale", () => AdversarialRounding.ToEightBit(classifier, x, x, y, maxScale: 0.5));
    }

    [Fact]
    public void AccuracyWithinL2CountsCorrectImagesAndAdversarialsBeyondTheRadius()
    {
        var classifier = new BrightnessClassifier(0.5);
        using var clean = torch.full(3, 1, 2, 2, 0.4f);          // all label 0, correctly classified
        using var adversarial = clean.clone();
        using (torch.no_grad())
        {
            adversarial[0].fill_(0.6f);                          // fooled, L2 = 0.4
            adversarial[1].fill_(0.9f);                          // fooled, L2 = 1.0
            adversarial[2].fill_(0.45f);                         // not fooled
        }
        using var labels = torch.zeros(3, ScalarType.Int64);

        Assert.Equal(2.0 / 3, AttackReport.AccuracyWithinL2(classifier, clean, adversarial, labels, 0.5), 6); // image 1 needed L2 1.0
        Assert.Equal(1.0, AttackReport.AccuracyWithinL2(classifier, clean, adversarial, labels, 0.3), 6);
        Assert.Equal(1.0 / 3, AttackReport.AccuracyWithinL2(classifier, clean, adversarial, labels, 1.5), 6);
    }
}
