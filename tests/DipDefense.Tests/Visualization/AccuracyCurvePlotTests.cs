using DipDefense.Tests.Infrastructure;
using DipDefense.Visualization;

namespace DipDefense.Tests.Visualization;

public sealed class AccuracyCurvePlotTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EachCurveIsDrawnInItsColourAtTheRequestedSize()
    {
        string path = Path.Combine(_dir.Path, "fig", "bpda.png");
        AccuracyCurve[] curves = [new("none", [2, 4, 8], [0.5, 0.1, 0]), new("decision-dip", [2, 4, 8], [0.9, 0.8, 0.6])];
        AccuracyCurvePlot.Save(curves, "BPDA", "ε (/255)", path, width: 640, height: 360);

        using var png = new PngPixels(path);
        Assert.Equal((640, 360), (png.Width, png.Height));
        Assert.True(png.Count(AccuracyCurvePlot.Colors[0]) > 100, "no first curve");
        Assert.True(png.Count(AccuracyCurvePlot.Colors[1]) > 100, "no second curve");
        Assert.True(png.Count(AccuracyCurvePlot.Colors[2]) < 5, "a third colour without a third curve");
    }

    [Fact]
    public void RejectsCurvesThatCannotBeDrawn()
    {
        string path = Path.Combine(_dir.Path, "x.png");
        Assert.Throws<ArgumentException>(() => AccuracyCurvePlot.Save([], "t", "x", path));
        Assert.Throws<ArgumentException>(() => AccuracyCurvePlot.Save([new("a", [1, 2], [0.5])], "t", "x", path));
        Assert.Throws<ArgumentException>(() => AccuracyCurvePlot.Save([new("a", [2, 1], [0.5, 0.5])], "t", "x", path));
        Assert.Throws<ArgumentException>(() => AccuracyCurvePlot.Save([new("a", [1, 2], [0.5, double.NaN])], "t", "x", path));
        Assert.False(File.Exists(path));
    }
}
