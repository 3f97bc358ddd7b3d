using DipDefense.Attacks;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class AttackValidationTests(TinyModelFixture f)
{
    [Fact]
    public void Run_RejectsImagesOutsideTheUnitRange()
    {
        using var images = f.TestImages * 2;
        var e = Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(images, f.TestLabels));
        Assert.Equal("images", e.ParamName);
        Assert.Contains("[0, 1]", e.Message);

        using var negative = f.TestImages - 0.5;
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => new Fgsm(f.Model).Run(negative, f.TestLabels)).ParamName);

        using var nan = f.TestImages.clone();
        nan[0, 0, 0, 0] = float.NaN;
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => new Fgsm(f.Model).Run(nan, f.TestLabels)).ParamName);
    }

    [Fact]
    public void Run_RejectsWrongRankOrDtype()
    {
        using var rank3 = f.TestImages[0];
        using var one = f.TestLabels.narrow(0, 0, 1);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(rank3, one)).ParamName);

        using var doubles = f.TestImages.to_type(ScalarType.Float64);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(doubles, f.TestLabels)).ParamName);
    }

    [Fact]
    public void Run_RejectsBadLabels()
    {
        using var ints = f.TestLabels.to_type(ScalarType.Int32);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(f.TestImages, ints)).ParamName);

        using var shorter = f.TestLabels.narrow(0, 0, 3);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(f.TestImages, shorter)).ParamName);

        using var negative = f.TestLabels - 10;
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new Pgd(f.Model).Run(f.TestImages, negative)).ParamName);
    }

    [Fact]
    public void Constructors_RejectBadParameters_NamingThem()
    {
        static string? Name(Action create) => Assert.Throws<ArgumentOutOfRangeException>(create).ParamName;

        Assert.Equal("eps", Name(() => new Pgd(f.Model, eps: -1)));
        Assert.Equal("eps", Name(() => new Pgd(f.Model, eps: double.NaN)));
        Assert.Equal("eps", Name(() => new Fgsm(f.Model, eps: double.PositiveInfinity)));
        Assert.Equal("alpha", Name(() => new Pgd(f.Model, alpha: -0.1)));
        Assert.Equal("steps", Name(() => new Pgd(f.Model, steps: -1)));
        Assert.Equal("eps", Name(() => new Bim(f.Model, eps: -1)));
        Assert.Equal("steps", Name(() => new Bim(f.Model, steps: -1)));
        Assert.Equal("decay", Name(() => new MiFgsm(f.Model, decay: -1)));
        Assert.Equal("c", Name(() => new CarliniWagnerL2(f.Model, c: 0)));
        Assert.Equal("kappa", Name(() => new CarliniWagnerL2(f.Model, kappa: -1)));
        Assert.Equal("lr", Name(() => new CarliniWagnerL2(f.Model, lr: 0)));
        Assert.Equal("steps", Name(() => new CarliniWagnerL2(f.Model, steps: 0)));
        Assert.Equal("gamma", Name(() => new Ddn(f.Model, gamma: 1.5)));
        Assert.Equal("initNorm", Name(() => new Ddn(f.Model, initNorm: 0)));
        Assert.Equal("steps", Name(() => new Ddn(f.Model, steps: 0)));
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => new Pgd(null!)).ParamName);
    }
}
