namespace DipDefense.Visualization;

/// <summary>
/// Draws defenses' accuracy against an attack's strength as a PNG line plot with a dot per measurement: the paper's
/// Fig. 4 (BPDA accuracy vs ε) and Fig. 5 (HopSkipJump accuracy vs queries). <c>dipdefense report</c> draws one per
/// attack that the store holds at several strengths.
/// </summary>
public static class AccuracyCurvePlot
{
    /// <summary>The colours (hex RGB) of the curves, in order, repeated after the last.</summary>
    public static IReadOnlyList<string> Colors { get; } = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F"];

    /// <summary>Draws <paramref name="curves"/> and saves the PNG (atomically; its folder is created when needed).</summary>
    /// <param name="curves">At least one curve; each with one accuracy in [0, 1] per strength and increasing strengths.</param>
    /// <param name="title">The plot's title.</param>
    /// <param name="strengthLabel">The x axis's label, e.g. "ε (/255)" or "queries".</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Width in pixels, in [200, 8000]. Default 800.</param>
    /// <param name="height">Height in pixels, in [200, 8000]. Default 450.</param>
    /// <param name="evenlySpaced">Whether the strengths of all curves are drawn at equal distances, each labelled with its
    /// value (for settings swept over uneven values, such as 0, 0.975, 0.98), instead of on a linear axis.</param>
    /// <exception cref="ArgumentException">No curve, a curve with mismatched, unordered or out-of-range points, or a size out of range.</exception>
    public static void Save(IReadOnlyList<AccuracyCurve> curves, string title, string strengthLabel, string path, int width = 800, int height = 450,
        bool evenlySpaced = false)
    {
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (curves.Count == 0)
            throw new ArgumentException("At least one curve is needed.", nameof(curves));
        foreach (var c in curves)
            if (c.Strength.Count == 0 || c.Strength.Count != c.Accuracy.Count || c.Strength.Zip(c.Strength.Skip(1)).Any(p => p.Second <= p.First)
                || c.Accuracy.Any(a => a is not (>= 0 and <= 1)))
                throw new ArgumentException($"Curve '{c.Name}' needs one accuracy in [0, 1] per strength and increasing strengths; got {c.Strength.Count} strengths and {c.Accuracy.Count} accuracies.", nameof(curves));
        if (width is < 200 or > 8000 || height is < 200 or > 8000)
            throw new ArgumentException($"width and height must lie in [200, 8000]; got {width} × {height}.", nameof(width));

        double[] values = [.. curves.SelectMany(c => c.Strength).Distinct().Order()];
        double Position(double strength) => evenlySpaced ? Array.BinarySearch(values, strength) : strength;
        var lines = curves.Select((c, i) => new ChartLine(c.Name, Colors[i % Colors.Count], false, [.. c.Strength.Select(Position)], c.Accuracy)).ToArray();
        var chart = new Chart(title, strengthLabel, "accuracy", lines, YMin: -0.02, YMax: 1.05)
        {
            Points = true,
            XTicks = evenlySpaced ? [.. values.Select((v, i) => ((double)i, v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))] : null,
        };
        LineChart.Save(chart, width, height, path);
    }
}
