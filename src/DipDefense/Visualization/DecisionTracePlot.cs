using DipDefense.Data;
using SkiaSharp;

namespace DipDefense.Visualization;

/// <summary>
/// Draws a <see cref="DecisionTrace"/> as a PNG line plot (the paper's Fig. 10): x is the DIP iteration, y the
/// victim's softmax confidence of the true class (green) and of the adversarial class (red), with the SSIM to the
/// input (grey, dashed) when given, and a dashed vertical line at every cross-boundary index i, drawn halfway
/// between snapshots i and i + 1 (where the label changes). The legend sits right of the data area, so it never
/// hides a line.
/// </summary>
/// <remarks>
/// Drawn with SkiaSharp alone: plotting libraries built on SkiaSharp 3 cannot share a process with ML.NET 5's
/// image transforms, which need SkiaSharp 2.88 (see Directory.Packages.props).
/// </remarks>
public static class DecisionTracePlot
{
    /// <summary>Colour (hex RGB) of the true-class confidence.</summary>
    public const string TrueClassColor = "#2CA02C";

    /// <summary>Colour (hex RGB) of the adversarial-class confidence.</summary>
    public const string AdversarialClassColor = "#D62728";

    /// <summary>Colour (hex RGB) of the SSIM series.</summary>
    public const string SsimColor = "#7F7F7F";

    /// <summary>Colour (hex RGB) of the cross-boundary markers.</summary>
    public const string CrossingColor = "#1F77B4";

    const float FontSize = 14, TitleSize = 16, Pad = 10, TickLength = 5, LegendSwatch = 24;

    /// <summary>Draws <paramref name="trace"/> and saves it as a PNG file (its folder is created when needed).</summary>
    /// <param name="trace">The series; validated with <see cref="DecisionTrace.Validate"/>.</param>
    /// <param name="path">The PNG file to write (overwritten).</param>
    /// <param name="options">Size and title; null uses the defaults.</param>
    /// <exception cref="ArgumentException">The trace or the options are invalid; the message names the setting.</exception>
    public static void Save(DecisionTrace trace, string path, DecisionTracePlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentException.ThrowIfNullOrEmpty(path);
        trace.Validate(nameof(trace));
        options ??= new DecisionTracePlotOptions();
        options.Validate(nameof(options));

        var series = new List<(string Name, string Color, bool Dashed)>
        {
            (trace.TrueClassName, TrueClassColor, false),
            (trace.AdversarialClassName, AdversarialClassColor, false),
        };
        if (trace.Ssim is not null)
            series.Add(("SSIM to input", SsimColor, true));
        if (trace.Crossings.Count > 0)
            series.Add(("cross-boundary", CrossingColor, true));

        using var typeface = PlotFonts.Sans();
        using var font = new SKFont(typeface, FontSize);
        using var titleFont = new SKFont(typeface, TitleSize);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };

        double[] xs = trace.Iterations.Select(i => (double)i).ToArray();
        double xMin = xs[0], xMax = xs.Length > 1 ? xs[^1] : xs[0] + 1;
        double yMin = Math.Min(0, trace.Ssim?.Min() ?? 0) - 0.02, yMax = 1.05;

        float legendWidth = series.Max(s => SkiaText.Width(font, s.Name)) + LegendSwatch + 3 * Pad;
        float lineHeight = font.Spacing;
        var area = new SKRect(
            left: 3 * Pad + lineHeight + SkiaText.Width(font, "-0.0"),
            top: 2 * Pad + titleFont.Spacing,
            right: options.Width - legendWidth,
            bottom: options.Height - 3 * Pad - 2 * lineHeight);
        float X(double x) => area.Left + (float)((x - xMin) / (xMax - xMin)) * area.Width;
        float Y(double y) => area.Bottom - (float)((y - yMin) / (yMax - yMin)) * area.Height;

        using var bitmap = new SKBitmap(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            DrawAxes(canvas, area, font, text, xMin, xMax, yMin, yMax, X, Y);

            canvas.Save();
            canvas.ClipRect(area);
            using (var paint = Stroke(TrueClassColor, dashed: false))
                DrawLine(canvas, xs, trace.TrueConfidence, X, Y, paint);
            using (var paint = Stroke(AdversarialClassColor, dashed: false))
                DrawLine(canvas, xs, trace.AdversarialConfidence, X, Y, paint);
            if (trace.Ssim is { } ssim)
                using (var paint = Stroke(SsimColor, dashed: true))
                    DrawLine(canvas, xs, ssim, X, Y, paint);
            using (var paint = Stroke(CrossingColor, dashed: true))
                foreach (int i in trace.Crossings)
                {
                    float x = X((xs[i] + xs[i + 1]) / 2);
                    canvas.DrawLine(x, area.Top, x, area.Bottom, paint);
                }
            canvas.Restore();

            string title = options.Title ?? $"Decision trace: {trace.TrueClassName} vs {trace.AdversarialClassName}";
            DrawCentered(canvas, title, area.MidX, Pad - titleFont.Metrics.Ascent, titleFont, text);
            DrawCentered(canvas, "DIP iteration", area.MidX, options.Height - Pad - font.Metrics.Descent, font, text);
            canvas.Save();
            canvas.RotateDegrees(-90, Pad - font.Metrics.Ascent, area.MidY);
            DrawCentered(canvas, trace.Ssim is null ? "victim confidence" : "victim confidence / SSIM",
                Pad - font.Metrics.Ascent, area.MidY, font, text);
            canvas.Restore();
            DrawLegend(canvas, series, area.Right + Pad, area.Top, font, text);
        }
        PngImage.Write(bitmap, path);
    }

    static SKPaint Stroke(string hex, bool dashed) => new()
    {
        Color = SKColor.Parse(hex),
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = 2,
        PathEffect = dashed ? SKPathEffect.CreateDash([8, 5], 0) : null,
    };

    static void DrawLine(SKCanvas canvas, double[] xs, IReadOnlyList<double> ys, Func<double, float> x, Func<double, float> y, SKPaint paint)
    {
        using var path = new SKPath();
        path.MoveTo(x(xs[0]), y(ys[0]));
        for (int i = 1; i < xs.Length; i++)
            path.LineTo(x(xs[i]), y(ys[i]));
        canvas.DrawPath(path, paint);
    }

    static void DrawAxes(SKCanvas canvas, SKRect area, SKFont font, SKPaint text, double xMin, double xMax, double yMin, double yMax,
        Func<double, float> x, Func<double, float> y)
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
        foreach (double v in Ticks(xMin, xMax))
        {
            float px = x(v);
            canvas.DrawLine(px, area.Top, px, area.Bottom, grid);
            canvas.DrawLine(px, area.Bottom, px, area.Bottom + TickLength, frame);
            DrawCentered(canvas, v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), px,
                area.Bottom + TickLength + 2 - font.Metrics.Ascent, font, text);
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

    static void DrawCentered(SKCanvas canvas, string value, float centerX, float baseline, SKFont font, SKPaint paint) =>
        SkiaText.Draw(canvas, value, centerX, baseline, SKTextAlign.Center, font, paint);
}
