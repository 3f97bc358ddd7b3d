using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Tests.Dip;
using DipDefense.Victims;

namespace DipDefense.Tests.Defense;

public class PurifiedClassifierTests
{
    [Fact]
    public void ClassifiesThePurifiedImagesAndCountsQueriesThroughTheDefense()
    {
        var victim = new BrightnessBinsClassifier();
        var squeeze = new BitDepthReduction(new BitDepthReductionOptions { Bits = 1 });
        var defended = new PurifiedClassifier(squeeze, victim);
        using var images = SyntheticImages.GradientWithSquare(3, 3, 16, 16);

        using var labels = defended.Predict(images);
        using var logits = defended.Logits(images.narrow(0, 0, 2));

        using var purified = squeeze.Purify(images);
        long[] expected = victim.PredictLabels(purified.Purified), plain = victim.PredictLabels(images);
        Assert.Equal(expected, labels.data<long>().ToArray());
        Assert.NotEqual(plain, expected); // the defense changes what the victim sees
        using var argmax = logits.argmax(1);
        Assert.Equal(expected[..2], argmax.data<long>().ToArray());

        Assert.Equal(5, defended.QueryCount);
        Assert.Equal(victim.NumClasses, defended.NumClasses);
        Assert.Same(squeeze, defended.Purifier);
        Assert.Same(victim, defended.Victim);
        defended.ResetQueryCount();
        Assert.Equal(0, defended.QueryCount);
    }

    [Fact]
    public void RejectsNullArgumentsAndPassesInvalidImagesToThePurifier()
    {
        Assert.Equal("purifier", Assert.Throws<ArgumentNullException>(() => new PurifiedClassifier(null!, new ThresholdClassifier())).ParamName);
        Assert.Equal("victim", Assert.Throws<ArgumentNullException>(() => new PurifiedClassifier(new IdentityPurifier(), null!)).ParamName);
        var defended = new PurifiedClassifier(new IdentityPurifier(), new ThresholdClassifier());
        using var bright = full([1, 3, 4, 4], 2f);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => defended.Predict(bright)).ParamName);
        Assert.Equal(0, defended.QueryCount);
    }
}
