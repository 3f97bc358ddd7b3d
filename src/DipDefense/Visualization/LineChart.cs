using DipDefense.Data;
using SkiaSharp;

namespace DipDefense.Visualization;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Name">The legend's label.</param>
/// <param name="Color">Hex RGB colour.</param>
/// <param name="Dashed">Dashed instead of solid.</param>
/// <param name="X">The x values, increasing.</param>
/// <param name="Y">The y values, one per x.</param>
internal sealed record ChartLine(string Name, string Color, bool Dashed, double[] X, IReadOnlyList<double> Y);

/// <summary>What a <see cref="LineChart"/> draws.</summary>
/// <param name="Title">The title above the data area.</param>
/// <param name="XLabel">The x axis's label.</param>
/// <param name="YLabel">The y axis's label.</param>
/// <param name="Lines">The lines, in legend order.</param>
/// <param name="YMin">The bottom of the y axis.</param>
/// <param name="YMax">The top of the y axis.</param>
internal sealed record Chart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartLine> Lines, double YMin, double YMax)
{
    /// <summary>Dashed vertical lines at these x values, with their legend label and colour (none when empty).</summary>
    public (string Name, string Color, IReadOnlyList<double> X) Markers { get; init; } = ("", "#000000", []);

    /// <summary>Whether every data point gets a dot (for lines of a few points).</summary>
    public bool Points { get; init; }

    /// <summary>The x axis's ticks and their labels; null: round values chosen from the range.</summary>
    public IReadOnlyList<(double X, string Label)>? XTicks { get; init; }
}

/// <summary>
/// A line plot drawn with SkiaSharp alone (plotting libraries built on SkiaSharp 3 cannot share a process with ML.NET
/// 5's image transforms, which need SkiaSharp 2.88): frame, grid, round ticks, the lines, optional vertical markers, the
/// title, the axis labels, and the legend right of the data area, so it never hides a line.
/// </summary>
internal static class LineChart
{
    const float FontSize = 14, TitleSize = 16, Pad = 10, TickLength = 5, LegendSwatch = 24, PointRadius = 3.5f;

    /// <summary>Draws <paramref name="chart"/> at <paramref name="width"/> × <paramref name="height"/> pixels and saves it as a PNG (atomically).</summary>
    public static void Save(Chart chart, int width, int height, string path)
    {
        var legend = chart.Lines.Select(l => (l.Name, l.Color, l.Dashed)).ToList();
        if (chart.Markers.X.Count > 0)
            legend.Add((chart.Markers.Name, chart.Markers.Color, true));

        using var typeface = PlotFonts.Sans();
        using var font = new SKFont(typeface, FontSize);
        using var titleFont = new SKFont(typeface, TitleSize);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };

        double xMin = chart.Lines.Min(l => l.X[0]), xMax = chart.Lines.Max(l => l.X[^1]);
        if (xMax <= xMin)
            xMax = xMin + 1;
        if (chart.Points)
        {
            // A margin, so that the dots at both ends are drawn whole.
            double margin = (xMax - xMin) * 0.03;
            (xMin, xMax) = (xMin - margin, xMax + margin);
        }
        double yMin = chart.YMin, yMax = chart.YMax;

        float legendWidth = legend.Max(s => SkiaText.Width(font, s.Name)) + LegendSwatch + 3 * Pad;
        float lineHeight = font.Spacing;
        var area = new SKRect(
            left: 3 * Pad + lineHeight + SkiaText.Width(font, "-0.0"),
            top: 2 * Pad + titleFont.Spacing,
            right: width - legendWidth,
            bottom: height - 3 * Pad - 2 * lineHeight);
        float X(double x) => area.Left + (float)((x - xMin) / (xMax - xMin)) * area.Width;
        float Y(double y) => area.Bottom - (float)((y - yMin) / (yMax - yMin)) * area.Height;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            DrawAxes(canvas, area, font, text, xMin, xMax, yMin, yMax, X, Y, chart.XTicks);

            canvas.Save();
            canvas.ClipRect(area);
            foreach (var line in chart.Lines)
            {
                using var paint = Stroke(line.Color, line.Dashed);
                DrawLine(canvas, line.X, line.Y, X, Y, paint);
                if (chart.Points)
                    using (var dot = new SKPaint { Color = SKColor.Parse(line.Color), IsAntialias = true, Style = SKPaintStyle.Fill })
                        for (int i = 0; i < line.X.Length; i++)
                            canvas.DrawCircle(X(line.X[i]), Y(line.Y[i]), PointRadius, dot);
            }
            using (var paint = Stroke(chart.Markers.Color, dashed: true))
                foreach (double value in chart.Markers.X)
                    canvas.DrawLine(X(value), area.Top, X(value), area.Bottom, paint);
            canvas.Restore();

            DrawCentered(canvas, chart.Title, area.MidX, Pad - titleFont.Metrics.Ascent, titleFont, text);
            DrawCentered(canvas, chart.XLabel, area.MidX, height - Pad - font.Metrics.Descent, font, text);
            canvas.Save();
            canvas.RotateDegrees(-90, Pad - font.Metrics.Ascent, area.MidY);
            DrawCentered(canvas, chart.YLabel, Pad - font.Metrics.Ascent, area.MidY, font, text);
            canvas.Restore();
            DrawLegend(canvas, legend, area.Right + Pad, area.Top, font, text);
        }
        PngImage.Write(bitmap, path);
    }

    /// <summary>A 2-pixel line paint of the colour <paramref name="hex"/>, dashed or solid; the caller disposes it.</summary>
    static SKPaint Stroke(string hex, bool dashed) => new()
    {
        Color = SKColor.Parse(hex),
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = 2,
        PathEffect = dashed ? SKPathEffect.CreateDash([8, 5], 0) : null,
    };

    /// <summary>A polyline through the points (xs[i], ys[i]).</summary>
    static void DrawLine(SKCanvas canvas, double[] xs, IReadOnlyList<double> ys, Func<double, float> x, Func<double, float> y, SKPaint paint)
    {
        using var path = new SKPath();
        path.MoveTo(x(xs[0]), y(ys[0]));
        for (int i = 1; i < xs.Length; i++)
            path.LineTo(x(xs[i]), y(ys[i]));
        canvas.DrawPath(path, paint);
    }

    /// <summary>The frame, a light grid and the tick labels of both axes.</summary>
    static void DrawAxes(SKCanvas canvas, SKRect area, SKFont font, SKPaint text, double xMin, double xMax, double yMin, double yMax,
        Func<double, float> x, Func<double, float> y, IReadOnlyList<(double X, string Label)>? xTicks)
    {
        using var frame = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        using var grid = new SKPaint { Color = new SKColor(0xE5, 0xE5, 0xE5), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        foreach (double v in Ticks(yMin, yMax))
        {
            float py = y(v);
            canvas.DrawLine(area.Left, py, area.Right, py, grid);
            canvas.DrawLine(area.Left - TickLength, py, area.Left, py, frame);
            string label = v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            SkiaText.Draw(canvas, label, area.Left - TickLength - 2, py - (font.Metrics.Ascent + font.Metrics.Descent) / 2, SKTextAlign.Right, font, text);
        }
        foreach (var (v, label) in xTicks ?? [.. Ticks(xMin, xMax).Select(v => (v, v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)))])
        {
            float px = x(v);
            canvas.DrawLine(px, area.Top, px, area.Bottom, grid);
            canvas.DrawLine(px, area.Bottom, px, area.Bottom + TickLength, frame);
            DrawCentered(canvas, label, px, area.Bottom + TickLength + 2 - font.Metrics.Ascent, font, text);
        }
        canvas.DrawRect(area, frame);
    }

    /// <summary>Round tick values (steps of 1, 2 or 5 times a power of ten) inside [min, max], about six of them.</summary>
    static IEnumerable<double> Ticks(double min, double max)
    {
        double raw = (max - min) / 6, power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        for (double v = Math.Ceiling(min / step) * step; v <= max + step * 1e-9; v += step)
            yield return Math.Abs(v) < step * 1e-9 ? 0 : v;
    }

    /// <summary>One row per series: its line sample and its name.</summary>
    static void DrawLegend(SKCanvas canvas, IReadOnlyList<(string Name, string Color, bool Dashed)> series, float left, float top,
        SKFont font, SKPaint text)
    {
        float rowHeight = font.Spacing + 4;
        for (int k = 0; k < series.Count; k++)
        {
            float middle = top + Pad + k * rowHeight + rowHeight / 2;
            using var paint = Stroke(series[k].Color, series[k].Dashed);
            canvas.DrawLine(left, middle, left + LegendSwatch, middle, paint);
            canvas.DrawText(series[k].Name, left + LegendSwatch + Pad / 2, middle - (font.Metrics.Ascent + font.Metrics.Descent) / 2, font, text);
        }
    }

    /// <summary>Text centred on <paramref name="centerX"/>.</summary>
    static void DrawCentered(SKCanvas canvas, string value, float centerX, float baseline, SKFont font, SKPaint paint) =>
        SkiaText.Draw(canvas, value, centerX, baseline, SKTextAlign.Center, font, paint);
}
