using DipDefense.Victims;

namespace DipDefense.Tests.Victims;

public class ModuleClassifierTests
{
    [Fact]
    public void GivesTheModulesLogitsAndArgmaxAndCountsOneQueryPerImage()
    {
        using var generator = new Generator(3);
        using var net = nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(3 * 4 * 4, 5)));
        var classifier = new ModuleClassifier(net, 5);
        using var images = rand([6, 3, 4, 4], generator: generator);

        using var logits = classifier.Logits(images);
        using var labels = classifier.Predict(images.narrow(0, 0, 2));
        using var expected = net.call(images);
        Assert.True(logits.equal(expected).all().item<bool>());
        Assert.False(logits.requires_grad);
        using var argmax = expected.narrow(0, 0, 2).argmax(1);
        Assert.True(labels.equal(argmax).all().item<bool>());
        Assert.Equal(8, classifier.QueryCount);
        Assert.Equal(5, classifier.NumClasses);
        classifier.ResetQueryCount();
        Assert.Equal(0, classifier.QueryCount);
    }

    [Fact]
    public void RejectsANullModuleAndFewerThanTwoClasses()
    {
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => new ModuleClassifier(null!, 3)).ParamName);
        using var net = nn.Linear(2, 1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ModuleClassifier(net, 1));
        Assert.Equal("numClasses", ex.ParamName);
    }
}
