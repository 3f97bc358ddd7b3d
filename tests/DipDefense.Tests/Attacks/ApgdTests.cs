using DipDefense.Attacks;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class ApgdTests(TinyModelFixture f)
{
    [Fact]
    public void StaysInTheEpsBallAndUnitRange_AndDropsAccuracy()
    {
        using var oneThread = new SingleLibTorchThread();
        using var before = f.TestImages.clone();
        using var adv = new Apgd(f.Model, eps: 8.0 / 255, steps: 10, seed: 1).Run(f.TestImages, f.TestLabels);

        Assert.True(Tensors.Same(before, f.TestImages), "the input must not be modified");
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6, $"L∞ {linf.item<float>()}");
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
        Assert.True(f.Accuracy(adv) <= f.CleanAccuracy - 0.5, $"accuracy {f.CleanAccuracy} → {f.Accuracy(adv)}");
    }

    [Fact]
    public void AtABudgetWherePgdFailsOnSomeImagesItIsAtLeastAsStrongWithTheSameSteps()
    {
        using var oneThread = new SingleLibTorchThread();
        const double eps = 6.0 / 255;
        using var pgd = new Pgd(f.Model, eps, alpha: eps / 4, steps: 20, seed: 1).Run(f.TestImages, f.TestLabels);
        using var apgd = new Apgd(f.Model, eps, steps: 20, seed: 1).Run(f.TestImages, f.TestLabels);
        double pgdAccuracy = f.Accuracy(pgd), apgdAccuracy = f.Accuracy(apgd);
        Assert.True(pgdAccuracy < f.CleanAccuracy, $"the budget should let PGD fool some images: {pgdAccuracy}");
        Assert.True(apgdAccuracy <= pgdAccuracy, $"APGD {apgdAccuracy} > PGD {pgdAccuracy}");
    }

    [Fact]
    public void ImagesItDoesNotFoolComeBackUnchanged_AndASeedGivesOneResult()
    {
        using var oneThread = new SingleLibTorchThread();
        using var first = new Apgd(f.Model, eps: 0.5 / 255, steps: 5, seed: 4).Run(f.TestImages, f.TestLabels);
        using var second = new Apgd(f.Model, eps: 0.5 / 255, steps: 5, seed: 4).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(first, second));

        using var _ = no_grad();
        using var correct = f.Model.call(first).argmax(1).eq(f.TestLabels);
        Assert.True(correct.sum().item<long>() > 0, "some images should resist half a grey level");
        using var unchanged = (first - f.TestImages).abs().flatten(1).amax([1]).eq(0);
        Assert.True(unchanged.masked_select(correct).all().item<bool>(), "an image the attack did not fool must be returned as it was");
    }

    [Fact]
    public void EotAveragesEveryStepOverFreshPurifications()
    {
        using var oneThread = new SingleLibTorchThread();
        var noisy = new NoisyPurifier(seed: 100);
        var apgd = new Apgd(new Bpda(noisy, f.Model, eotSamples: 3, seed: 7), steps: 4, seed: 2);
        Assert.Equal(3, apgd.EotSamples);
        using var adv = apgd.Run(f.TestImages, f.TestLabels);
        // The start and 4 steps, 3 purifications each, every one with its own seed.
        Assert.Equal(Enumerable.Range(7, 15).Select(s => (long)s), noisy.Seeds);
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
    }

    [Fact]
    public void RejectsBadSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(f.Model, steps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(f.Model, rho: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(f.Model, eps: -1));
    }
}
