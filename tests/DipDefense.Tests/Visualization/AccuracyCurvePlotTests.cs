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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EvenlySpacedStrengthsSpreadUnevenValuesAcrossTheAxis(bool evenlySpaced)
    {
        // Accuracy rises from 0.1 at 0 to 0.9 at 0.975 and stays there up to 0.985. On a linear axis the middle of the line
        // is on the rise (about 0.5); evenly spaced, the rise takes the first third only, so the middle is at 0.9.
        string path = Path.Combine(_dir.Path, $"even-{evenlySpaced}.png");
        AccuracyCurvePlot.Save([new("vote", [0, 0.975, 0.98, 0.985], [0.1, 0.9, 0.9, 0.9])], "t", "φ_p", path, evenlySpaced: evenlySpaced);

        using var png = new PngPixels(path);
        int[] Rows(int x) => [.. Enumerable.Range(0, png.Height).Where(y => Close(png[x, y], AccuracyCurvePlot.Colors[0]))];
        // The line is the first run of columns with its colour; the legend's swatch, right of the data area, is another.
        int left = Enumerable.Range(0, png.Width).First(x => Rows(x).Length > 0);
        int end = Enumerable.Range(left, png.Width - left).First(x => x == png.Width - 1 || Rows(x + 1).Length == 0);
        int middle = (left + end) / 2, right = end - 8;
        double middleRow = Rows(middle).Average(), rightRow = Rows(right).Average();
        if (evenlySpaced)
            Assert.True(Math.Abs(middleRow - rightRow) < 6, $"middle at row {middleRow}, right end at {rightRow}: not level");
        else
            Assert.True(middleRow - rightRow > 50, $"middle at row {middleRow}, right end at {rightRow}: not on the rise");
    }

    static bool Close(SkiaSharp.SKColor c, string hex)
    {
        var want = SkiaSharp.SKColor.Parse(hex);
        return Math.Abs(c.Red - want.Red) + Math.Abs(c.Green - want.Green) + Math.Abs(c.Blue - want.Blue) < 30;
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
