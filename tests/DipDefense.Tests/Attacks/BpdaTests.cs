using DipDefense.Attacks;
using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Victims;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class BpdaTests(TinyModelFixture f)
{
    [Fact]
    public void IdentityPurifier_PgdThroughBpda_EqualsPlainPgd()
    {
        using var oneThread = new SingleLibTorchThread();
        var bpda = new Bpda(new IdentityPurifier(), f.Model); // not disposed: it would dispose the fixture's model
        using var plain = new Pgd(f.Model, seed: 5).Run(f.TestImages, f.TestLabels);
        using var through = new Pgd(bpda, seed: 5).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(plain, through), "PGD through an identity BPDA must equal plain PGD bit for bit");

        using var plainDdn = new Ddn(f.Model, steps: 20).Run(f.TestImages, f.TestLabels);
        using var throughDdn = new Ddn(bpda, steps: 20).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(plainDdn, throughDdn));
    }

    [Fact]
    public void BitDepthPurifier_StraightThroughGradient_BreaksModelOfPurifier()
    {
        // round() has zero gradient almost everywhere: without BPDA there is nothing to follow.
        var squeeze = new BitDepthReduction(new BitDepthReductionOptions { Bits = 5 });
        var bpda = new Bpda(squeeze, f.Model);
        using var adv = new Pgd(bpda, eps: 8.0 / 255, alpha: 2.0 / 255, steps: 10).Run(f.TestImages, f.TestLabels);

        using var purifiedClean = squeeze.Purify(f.TestImages);
        using var purifiedAdv = squeeze.Purify(adv);
        double clean = f.Accuracy(purifiedClean.Purified), attacked = f.Accuracy(purifiedAdv.Purified);
        Assert.True(clean >= 0.9, $"model ∘ squeeze clean accuracy {clean}");
        Assert.True(attacked <= clean - 0.4, $"model ∘ squeeze accuracy {clean} → {attacked}");
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
    }

    [Fact]
    public void MedianSubstitute_GradientIsTheMediansOwn()
    {
        // The median's BPDA substitute is the filter itself, so BPDA's input gradient is the exact gradient of model ∘ median.
        using var oneThread = new SingleLibTorchThread();
        var median = new MedianSmoothing();
        var bpda = new Bpda(median, f.Model);
        using var images = f.TestImages.narrow(0, 0, 8);
        using var labels = f.TestLabels.narrow(0, 0, 8);

        using var x1 = images.detach().clone().requires_grad_(true);
        using var throughBpda = InputGradient(nn.functional.cross_entropy(bpda.call(x1), labels), x1);
        using var x2 = images.detach().clone().requires_grad_(true);
        using var throughMedian = InputGradient(nn.functional.cross_entropy(f.Model.call(median.EstimateForward(x2)), labels), x2);

        Assert.True(Tensors.Same(throughBpda, throughMedian), "BPDA through the median must give the median's own gradient");
        using var absolute = throughBpda.abs().sum();
        Assert.True(absolute.item<float>() > 0);
    }

    private static Tensor InputGradient(Tensor loss, Tensor input)
    {
        using var _ = loss;
        return torch.autograd.grad([loss], [input])[0];
    }

    [Fact]
    public void Eot_AveragesOverIndependentPurifications()
    {
        var noisy = new NoisyPurifier(seed: 100);
        var bpda = new Bpda(noisy, f.Model, eotSamples: 3, seed: 7);
        var pgd = new Pgd(bpda, steps: 4);
        Assert.Equal(3, pgd.EotSamples);
        using var adv = pgd.Run(f.TestImages, f.TestLabels);
        // Forward call c draws seed 7 + c: 4 steps × 3 samples, all different.
        Assert.Equal(Enumerable.Range(7, 12).Select(s => (long)s), noisy.Seeds);
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
        Assert.True(f.Accuracy(adv) <= f.CleanAccuracy - 0.5);

        // One sample: the purifier as deployed (its own seed) on every call.
        var deployed = new NoisyPurifier(seed: 100);
        using var adv1 = new Pgd(new Bpda(deployed, f.Model), steps: 4).Run(f.TestImages, f.TestLabels);
        Assert.Equal(Enumerable.Repeat(100L, 4), deployed.Seeds);
    }

    [Fact]
    public void RunsAgainstTheDecisionSpaceDipPurifier()
    {
        var options = new PurifierOptions
        {
            Trace = new DipTraceOptions { Iterations = 20, Snapshots = 10, Network = DipNetworkConfig.Small, Seed = 3 },
            WarmUp = 2,
            BatchSize = 2,
        };
        var purifier = new DecisionSpacePurifier(new ModuleClassifier(f.Model, TinyModelFixture.Classes), options);
        using var images = f.TestImages.narrow(0, 0, 2);
        using var labels = f.TestLabels.narrow(0, 0, 2);

        using var adv = new Pgd(new Bpda(purifier, f.Model), eps: 8.0 / 255, alpha: 2.0 / 255, steps: 2, seed: 1).Run(images, labels);

        Assert.Equal(images.shape, adv.shape);
        using var linf = (adv - images).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
        using var moved = (adv - images).abs().sum();
        Assert.True(moved.item<float>() > 0, "the BPDA gradient through the DIP purifier must move the images");
    }

    [Fact]
    public void Bpda_RejectsBadArguments()
    {
        var identity = new IdentityPurifier();
        Assert.Equal("eotSamples", Assert.Throws<ArgumentOutOfRangeException>(() => new Bpda(identity, f.Model, 0)).ParamName);
        Assert.Equal("purifier", Assert.Throws<ArgumentNullException>(() => new Bpda(null!, f.Model)).ParamName);
        var deterministic = Assert.Throws<ArgumentException>(() => new Bpda(identity, f.Model, 2));
        Assert.Equal("eotSamples", deterministic.ParamName);
        Assert.Contains("not randomized", deterministic.Message);
        Assert.Equal("EotSamples", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(f.Model) { EotSamples = 0 }).ParamName);
    }
}
