using DipDefense.Dip;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;
using DipDefense.Visualization;

namespace DipDefense.Tests.Visualization;

public sealed class DecisionTracePlotTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static DecisionTrace Crossing(int m = 20)
    {
        var iterations = Enumerable.Range(1, m).Select(i => 10 * i).ToArray();
        var truth = iterations.Select(i => 1 / (1 + Math.Exp(-(i - 100) / 20.0))).ToArray();
        return new DecisionTrace
        {
            Iterations = iterations,
            TrueConfidence = truth,
            AdversarialConfidence = truth.Select(v => 1 - v).ToArray(),
            Crossings = [9],
            Ssim = iterations.Select(i => 1 - Math.Exp(-i / 50.0)).ToArray(),
        };
    }

    [Fact]
    public void PlotIsAPngOfTheRequestedSizeWithBothClassesTheSsimAndTheCrossing()
    {
        string path = Path.Combine(_dir.Path, "plots", "trace.png");
        DecisionTracePlot.Save(Crossing(), path, new DecisionTracePlotOptions { Width = 640, Height = 360, Title = "test" });

        using var png = new PngPixels(path);
        Assert.Equal((640, 360), (png.Width, png.Height));
        Assert.True(png.Count(DecisionTracePlot.TrueClassColor) > 100, "no true-class line");
        Assert.True(png.Count(DecisionTracePlot.AdversarialClassColor) > 100, "no adversarial-class line");
        Assert.True(png.Count(DecisionTracePlot.SsimColor) > 50, "no SSIM line");
        Assert.True(png.Count(DecisionTracePlot.CrossingColor) > 50, "no cross-boundary marker");
    }

    [Fact]
    public void WithoutCrossingsOrSsimNeitherIsDrawn()
    {
        string full = Path.Combine(_dir.Path, "full.png"), bare = Path.Combine(_dir.Path, "bare.png");
        DecisionTracePlot.Save(Crossing(), full);
        DecisionTracePlot.Save(Crossing() with { Crossings = [], Ssim = null }, bare);

        using var withAll = new PngPixels(full);
        using var without = new PngPixels(bare);
        Assert.Equal((800, 450), (without.Width, without.Height));
        Assert.True(without.Count(DecisionTracePlot.TrueClassColor) > 100);
        Assert.Equal(0, without.Count(DecisionTracePlot.CrossingColor));
        // Grey also appears in anti-aliased text, so compare with the plot that has the SSIM line.
        int greyWith = withAll.Count(DecisionTracePlot.SsimColor, tolerance: 2), greyWithout = without.Count(DecisionTracePlot.SsimColor, tolerance: 2);
        Assert.True(greyWith > greyWithout + 100, $"grey pixels: {greyWith} with the SSIM line, {greyWithout} without");
    }

    [Fact]
    public void ADipTraceOfTheVictimBecomesAPlot()
    {
        using var image = rand(1, 1, 16, 16, generator: new Generator(2));
        using var trace = new DipTraceRunner(new DipTraceOptions { Iterations = 20, Snapshots = 10, Network = DipNetworkConfig.Small }).Run(image);
        using var generator = new Generator(4);
        using var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(256, 3)));
        var victim = new ModuleClassifier(net, 3);
        using var snapshots = trace.Snapshots[0];

        var confidences = SnapshotConfidences.Compute(victim, snapshots);
        var labels = confidences.Labels();
        var decisionTrace = DecisionTrace.From(confidences, trace.SnapshotIterations, 0, 2, ["a", "b", "c"]) with
        {
            Crossings = Enumerable.Range(0, labels.Length - 1).Where(i => labels[i] != labels[i + 1]).ToArray(),
        };
        string path = Path.Combine(_dir.Path, "dip.png");
        DecisionTracePlot.Save(decisionTrace, path);

        Assert.Equal("a (true)", decisionTrace.TrueClassName);
        Assert.Equal("c (adversarial)", decisionTrace.AdversarialClassName);
        Assert.Equal(confidences.Of(2), decisionTrace.AdversarialConfidence);
        Assert.Equal(new[] { 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 }, decisionTrace.Iterations);
        using var png = new PngPixels(path);
        Assert.Equal(800, png.Width);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        string path = Path.Combine(_dir.Path, "bad.png");
        string Error(DecisionTrace trace, DecisionTracePlotOptions? options = null) =>
            Assert.Throws<ArgumentException>(() => DecisionTracePlot.Save(trace, path, options)).Message;
        var good = Crossing();

        Assert.Contains("at least one snapshot", Error(good with { Iterations = [], TrueConfidence = [], AdversarialConfidence = [], Crossings = [], Ssim = null }));
        Assert.Contains("AdversarialConfidence has 19 values but Iterations has 20", Error(good with { AdversarialConfidence = good.AdversarialConfidence.Skip(1).ToArray() }));
        Assert.Contains("Ssim has 3 values", Error(good with { Ssim = [0, 0, 0] }));
        Assert.Contains("must lie in [0, 18]", Error(good with { Crossings = [19] }));
        Assert.Contains("Iterations must ascend", Error(good with { Iterations = good.Iterations.Reverse().ToArray() }));
        Assert.Contains("TrueConfidence[0] is NaN", Error(good with { TrueConfidence = [double.NaN, .. good.TrueConfidence.Skip(1)] }));
        Assert.Contains("Width", Error(good, new DecisionTracePlotOptions { Width = 10 }));
        Assert.False(File.Exists(path));

        using var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)));
        using var snapshots = rand(5, 1, 2, 2);
        var confidences = SnapshotConfidences.Compute(new ModuleClassifier(net, 3), snapshots);
        Assert.Contains("iterations has 4 values for 5 snapshots",
            Assert.Throws<ArgumentException>(() => DecisionTrace.From(confidences, [1, 2, 3, 4], 0, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DecisionTrace.From(confidences, [1, 2, 3, 4, 5], 0, 3));
    }
}
