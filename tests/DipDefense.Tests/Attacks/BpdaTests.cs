using DipDefense.Attacks;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class BpdaTests(TinyModelFixture f)
{
    [Fact]
    public void IdentityPurifier_PgdThroughBpda_EqualsPlainPgd()
    {
        var bpda = new Bpda(x => x, f.Model); // not disposed: it would dispose the fixture's model
        using var plain = new Pgd(f.Model, seed: 5).Run(f.TestImages, f.TestLabels);
        using var through = new Pgd(bpda, seed: 5).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(plain, through), "PGD through an identity BPDA must equal plain PGD bit for bit");

        using var plainDdn = new Ddn(f.Model, steps: 20).Run(f.TestImages, f.TestLabels);
        using var throughDdn = new Ddn(bpda, steps: 20).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(plainDdn, throughDdn));
    }

    [Fact]
    public void QuantisingPurifier_StraightThroughGradient_BreaksModelOfPurifier()
    {
        // round() has zero gradient almost everywhere: without BPDA there is nothing to follow.
        static Tensor Quantise(Tensor x) => (x * 16).round() / 16;
        var bpda = new Bpda(Quantise, f.Model);
        using var adv = new Pgd(bpda, eps: 8.0 / 255, alpha: 2.0 / 255, steps: 10).Run(f.TestImages, f.TestLabels);

        using var purifiedClean = Quantise(f.TestImages);
        using var purifiedAdv = Quantise(adv);
        double clean = f.Accuracy(purifiedClean), attacked = f.Accuracy(purifiedAdv);
        Assert.True(clean >= 0.9, $"model ∘ quantise clean accuracy {clean}");
        Assert.True(attacked <= clean - 0.4, $"model ∘ quantise accuracy {clean} → {attacked}");
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
    }

    [Fact]
    public void Eot_AveragesOverIndependentPurifications()
    {
        int calls = 0;
        using var generator = new Generator(9, CPU);
        Tensor Noisy(Tensor x)
        {
            calls++;
            return (x + 0.02 * randn(x.shape, generator: generator)).clamp(0.0, 1.0);
        }
        var bpda = new Bpda(Noisy, f.Model, eotSamples: 3);
        var pgd = new Pgd(bpda, steps: 4);
        Assert.Equal(3, pgd.EotSamples);
        using var adv = pgd.Run(f.TestImages, f.TestLabels);
        Assert.Equal(4 * 3, calls);
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 8.0 / 255 + 1e-6);
        Assert.True(f.Accuracy(adv) <= f.CleanAccuracy - 0.5);

        var single = new Pgd(bpda, steps: 4) { EotSamples = 1 };
        calls = 0;
        using var adv1 = single.Run(f.TestImages, f.TestLabels);
        Assert.Equal(4, calls);
    }

    [Fact]
    public void Bpda_RejectsBadArguments()
    {
        Assert.Equal("eotSamples", Assert.Throws<ArgumentOutOfRangeException>(() => new Bpda(x => x, f.Model, 0)).ParamName);
        Assert.Equal("purifier", Assert.Throws<ArgumentNullException>(() => new Bpda(null!, f.Model)).ParamName);
        Assert.Equal("EotSamples", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(f.Model) { EotSamples = 0 }).ParamName);
    }
}
