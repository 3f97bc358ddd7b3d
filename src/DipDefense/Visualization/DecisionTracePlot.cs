using ScottPlot;

namespace DipDefense.Visualization;

/// <summary>
/// Draws a <see cref="DecisionTrace"/> as a PNG line plot (the paper's Fig. 10): x is the DIP iteration, y the
/// victim's softmax confidence of the true class (green) and of the adversarial class (red), with the SSIM to the
/// input (grey, dashed) when given, and a dashed vertical line at every cross-boundary index i, drawn halfway
/// between snapshots i and i + 1 (where the label changes).
/// </summary>
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

        using var plot = new Plot();
        if (PlotFonts.SansFamily is { } family)
            plot.Font.Set(family);
        double[] xs = trace.Iterations.Select(i => (double)i).ToArray();

        Line(plot, xs, trace.TrueConfidence, trace.TrueClassName, Color.FromHex(TrueClassColor), LinePattern.Solid);
        Line(plot, xs, trace.AdversarialConfidence, trace.AdversarialClassName, Color.FromHex(AdversarialClassColor), LinePattern.Solid);
        if (trace.Ssim is { } ssim)
            Line(plot, xs, ssim, "SSIM to input", Color.FromHex(SsimColor), LinePattern.Dashed);
        for (int k = 0; k < trace.Crossings.Count; k++)
        {
            int i = trace.Crossings[k];
            var marker = plot.Add.VerticalLine((xs[i] + xs[i + 1]) / 2, 1.5f, Color.FromHex(CrossingColor), LinePattern.Dashed);
            if (k == 0)
                marker.LegendText = "cross-boundary";
        }

        double low = Math.Min(0, trace.Ssim?.Min() ?? 0);
        plot.Axes.SetLimitsY(low - 0.02, 1.05);
        if (xs.Length > 1)
            plot.Axes.SetLimitsX(xs[0], xs[^1]);
        plot.Title(options.Title ?? $"Decision trace: {trace.TrueClassName} vs {trace.AdversarialClassName}");
        plot.XLabel("DIP iteration");
        plot.YLabel(trace.Ssim is null ? "victim confidence" : "victim confidence / SSIM");
        plot.ShowLegend(Edge.Right); // outside the data area, so it never hides a line

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null)
            Directory.CreateDirectory(folder);
        plot.SavePng(path, options.Width, options.Height);
    }

    static void Line(Plot plot, double[] xs, IReadOnlyList<double> ys, string name, Color color, LinePattern pattern)
    {
        var line = plot.Add.ScatterLine(xs, ys.ToArray(), color);
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.LegendText = name;
    }
}
