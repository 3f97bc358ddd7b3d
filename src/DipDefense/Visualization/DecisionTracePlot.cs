
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

        double[] xs = trace.Iterations.Select(i => (double)i).ToArray();
        var lines = new List<ChartLine>
        {
            new(trace.TrueClassName, TrueClassColor, false, xs, trace.TrueConfidence),
            new(trace.AdversarialClassName, AdversarialClassColor, false, xs, trace.AdversarialConfidence),
        };
        if (trace.Ssim is { } ssim)
            lines.Add(new("SSIM to input", SsimColor, true, xs, ssim));
        var chart = new Chart(
            options.Title ?? $"Decision trace: {trace.TrueClassName} vs {trace.AdversarialClassName}",
            "DIP iteration",
            trace.Ssim is null ? "victim confidence" : "victim confidence / SSIM",
            lines,
            YMin: Math.Min(0, trace.Ssim?.Min() ?? 0) - 0.02,
            YMax: 1.05)
        {
            Markers = ("cross-boundary", CrossingColor, [.. trace.Crossings.Select(i => (xs[i] + xs[i + 1]) / 2)]),
        };
        LineChart.Save(chart, options.Width, options.Height, path);
    }
}
