using System.Globalization;
using DipDefense.Cli.Commands;
using DipDefense.Defense;
using DipDefense.Visualization;

namespace DipDefense.Cli;

/// <summary>
/// The sensitivity figures of <c>dipdefense calibrate --plot</c> (the paper's Fig. 6/7): for each selection mode of the
/// sweep and every setting the sweep varied, the accuracy on each image set and their mean against that setting, every
/// other setting held at the values of that mode's best row. A setting the sweep held at one value gets no figure.
/// </summary>
internal static class SensitivityFigures
{
    /// <summary>A swept setting: its axis label, its short name in file names, and its value in a setting.</summary>
    sealed record Parameter(string Label, string Short, Func<PurifierOptions, double> Of);

    static readonly Parameter[] Parameters =
    [
        new("input noise σ_z", "input-noise", o => o.Trace.InputNoiseStd),
        new("output averaging β", "output-averaging", o => o.Trace.OutputAveraging),
        new("SSIM threshold τ", "tau", o => o.SsimThreshold),
        new("warm-up w (snapshots)", "warmup", o => o.WarmUp),
        new("stable run k", "stable-run", o => o.StableRun),
        new("pairs N", "pairs", o => o.Pairs),
        new("push step η", "eta", o => o.Eta),
        new("grid sections G", "grid", o => o.GridSections),
        new("gate threshold θ", "gate-threshold", o => o.GateThreshold),
        new("poor-fit threshold φ_p", "poor-fit", o => o.PoorFit),
        new("late-change fit φ_l", "late-change-fit", o => o.LateChangeFit),
        new("ambiguous margin μ", "ambiguous-margin", o => o.AmbiguousMargin),
        new("own-label weight λ", "own-label-weight", o => o.OwnLabelWeight),
        new("ambiguous fit φ_a", "ambiguous-fit", o => o.AmbiguousFit),
        new("traces per image K", "seeds", o => o.Seeds),
        new("marking quorum q", "mark-quorum", o => o.MarksNeeded),
        new("horizon H", "horizon", o => o.Horizon),
        new("settled fit φ_s", "settled-fit", o => o.SettledFit),
        new("marked horizon H_m", "marked-horizon", o => o.MarkedHorizon),
        new("DIP iterations T", "iterations", o => o.Trace.Iterations),
    ];

    /// <summary>One figure: its file, the selection mode, the setting along x, and one curve per image set plus their mean.</summary>
    public sealed record Figure(string File, string Selection, string Parameter, IReadOnlyList<AccuracyCurve> Curves);

    /// <summary>Draws the figures of a sweep into <paramref name="folder"/> and returns what they show.</summary>
    /// <param name="rows">The sweep's settings with their accuracy on each set, best first (each mode's first row fixes its other settings).</param>
    /// <param name="setNames">The image sets' names, in the order of each row's accuracies.</param>
    /// <param name="folder">Where the PNGs go (<c>calibrate-&lt;selection&gt;-vs-&lt;setting&gt;.png</c>).</param>
    public static IReadOnlyList<Figure> Draw(IReadOnlyList<(PurifierOptions Options, IReadOnlyList<double> Accuracy)> rows,
        IReadOnlyList<string> setNames, string folder)
    {
        var figures = new List<Figure>();
        foreach (var mode in rows.GroupBy(r => r.Options.Selection))
            figures.AddRange(Draw([.. mode], setNames, folder, CalibrateCommand.SelectionName(mode.Key)));
        return figures;
    }

    static IEnumerable<Figure> Draw(IReadOnlyList<(PurifierOptions Options, IReadOnlyList<double> Accuracy)> rows,
        IReadOnlyList<string> setNames, string folder, string selection)
    {
        var best = rows[0].Options;
        foreach (var parameter in Parameters)
        {
            // The rows that equal the best one in everything but this setting, one per value.
            var line = rows.Where(r => OthersKey(r.Options, parameter) == OthersKey(best, parameter))
                .GroupBy(r => parameter.Of(r.Options)).Select(g => g.First())
                .OrderBy(r => parameter.Of(r.Options)).ToArray();
            if (line.Length < 2)
                continue;
            double[] x = [.. line.Select(r => parameter.Of(r.Options))];
            var curves = setNames.Select((name, s) => new AccuracyCurve(name, x, [.. line.Select(r => r.Accuracy[s])]))
                .Append(new AccuracyCurve("mean", x, [.. line.Select(r => r.Accuracy.Average())]))
                .ToArray();
            string file = $"calibrate-{selection}-vs-{parameter.Short}.png";
            AccuracyCurvePlot.Save(curves, $"{selection}: accuracy against {parameter.Label} (the others as in its best setting)", parameter.Label,
                Path.Combine(folder, file), evenlySpaced: true);
            yield return new Figure(file, selection, parameter.Short, curves);
        }
    }

    /// <summary>Every setting of <paramref name="options"/> but <paramref name="varied"/>, as one string.</summary>
    static string OthersKey(PurifierOptions options, Parameter varied) => string.Join("|",
        Parameters.Where(p => p != varied).Select(p => p.Of(options).ToString("R", CultureInfo.InvariantCulture))
            .Append(CalibrateCommand.WindowName(options))
            .Append(options.Trace.Network.ToString())
            .Append(options.Trace.NoiseFreeSnapshots.ToString()));
}
