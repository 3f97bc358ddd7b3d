using System.Globalization;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Visualization;
using Spectre.Console;

namespace DipDefense.Cli;

/// <summary>
/// The paper's Table 3 from a <c>dipdefense calibrate</c> sweep over <c>--preset</c> and <c>--iterations</c>: the mean
/// accuracy over the image sets for each DIP network (rows) and iteration count T (columns). Each cell is the sweep's best
/// setting at that network and T; a sweep with one setting per network and T (the paper's table) shows that setting.
/// </summary>
internal static class NetworkIterationsTable
{
    /// <summary>One cell: the network's preset name, T, and the accuracy of the cell's setting on each set and their mean.</summary>
    public sealed record Cell(string Network, int Iterations, IReadOnlyList<double> Accuracy)
    {
        public double MeanAccuracy => Accuracy.Average();
    }

    /// <summary>The cells, networks in preset order and T ascending; empty when the sweep has one network and one T.</summary>
    /// <param name="rows">The sweep's settings with their accuracy on each set.</param>
    public static IReadOnlyList<Cell> Of(IReadOnlyList<(PurifierOptions Options, IReadOnlyList<double> Accuracy)> rows)
    {
        var cells = rows
            .GroupBy(r => (Network: NetworkName(r.Options.Trace.Network), r.Options.Trace.Iterations))
            .Select(g => new Cell(g.Key.Network, g.Key.Iterations, g.MaxBy(r => r.Accuracy.Average()).Accuracy))
            .OrderBy(c => NetworkOrder(c.Network)).ThenBy(c => c.Iterations)
            .ToArray();
        return cells.Select(c => c.Network).Distinct().Count() > 1 || cells.Select(c => c.Iterations).Distinct().Count() > 1 ? cells : [];
    }

    /// <summary>Prints the table: one row per network, one column per T, each cell the mean accuracy ("-" where the sweep has none).</summary>
    public static void Print(IAnsiConsole console, IReadOnlyList<Cell> cells)
    {
        int[] iterations = [.. cells.Select(c => c.Iterations).Distinct().Order()];
        console.WriteLine("Mean accuracy over the sets by DIP network and iterations T (the paper's Table 3):");
        var table = new Table();
        table.AddColumn("network");
        foreach (int t in iterations)
            table.AddColumn($"T = {t.ToString(CultureInfo.InvariantCulture)}");
        foreach (var network in cells.GroupBy(c => c.Network))
            table.AddRow([network.Key, .. iterations.Select(t => network.FirstOrDefault(c => c.Iterations == t) is { } c ? $"{c.MeanAccuracy:0.000}" : "-")]);
        console.Write(table);
    }

    /// <summary>Draws <c>calibrate-network-vs-iterations.png</c>: one curve per network, its mean accuracy against T. Returns the file name.</summary>
    public static string Draw(IReadOnlyList<Cell> cells, string folder)
    {
        const string file = "calibrate-network-vs-iterations.png";
        var curves = cells.GroupBy(c => c.Network)
            .Select(g => new AccuracyCurve(g.Key, [.. g.Select(c => (double)c.Iterations)], [.. g.Select(c => c.MeanAccuracy)]))
            .ToArray();
        AccuracyCurvePlot.Save(curves, "mean accuracy over the sets against the DIP iterations T, per network", "DIP iterations T",
            Path.Combine(folder, file));
        return file;
    }

    static string NetworkName(DipNetworkConfig network) => DipNetworkConfig.PresetNameOf(network) ?? "custom";

    /// <summary>The presets in their own order (small, medium, large), any other network after them.</summary>
    static int NetworkOrder(string name)
    {
        int index = Array.IndexOf([.. DipNetworkConfig.PresetNames], name);
        return index >= 0 ? index : int.MaxValue;
    }
}
