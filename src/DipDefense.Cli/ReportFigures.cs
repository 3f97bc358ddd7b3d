using DipDefense.Evaluation;
using DipDefense.Visualization;

namespace DipDefense.Cli;

/// <summary>
/// The figures of <c>dipdefense report</c>: for every attack the store holds at two or more strengths (ε of an L∞
/// attack, queries of HopSkipJump), each defense's accuracy against the strength (the paper's Fig. 4 for
/// <c>bpda-pgd</c>, Fig. 5 for <c>hsj</c>), drawn from Table 1.
/// </summary>
internal static class ReportFigures
{
    /// <summary>One figure: the attack, its PNG's file name, and each defense's (strength, accuracy) points.</summary>
    public sealed record Figure(string Attack, string File, string StrengthLabel, IReadOnlyList<AccuracyCurve> Curves);

    /// <summary>Draws the figures into <paramref name="folder"/> and returns what they show.</summary>
    public static IReadOnlyList<Figure> Draw(EvaluationTable accuracy, string folder)
    {
        var columns = AttackSpec.ParseList(string.Join(",", accuracy.Columns.Where(c => c is not (EvaluationTables.Average or EvaluationTables.WorstCase))));
        var figures = new List<Figure>();
        foreach (var family in columns.Where(c => Strength(c) is not null).GroupBy(c => c.Name).Where(g => g.Count() >= 2))
        {
            var ordered = family.OrderBy(c => Strength(c)).ToArray();
            var curves = accuracy.Rows.Select(row =>
            {
                var points = ordered.Select(c => (Strength: Strength(c)!.Value, Cell: row.Cells[IndexOf(accuracy, c.Column)]))
                    .Where(p => p.Cell.Count > 0).ToArray();
                return new AccuracyCurve(row.Defense, [.. points.Select(p => p.Strength)], [.. points.Select(p => p.Cell.Value)]);
            }).Where(c => c.Strength.Count > 0).ToArray();
            if (curves.Length == 0)
                continue;
            string label = family.First().Queries is null ? "ε (/255)" : "queries";
            var figure = new Figure(family.Key, $"{family.Key}.png", label, curves);
            AccuracyCurvePlot.Save(curves, $"{family.Key}: accuracy against {label}", label, Path.Combine(folder, figure.File));
            figures.Add(figure);
        }
        return figures;
    }

    static double? Strength(AttackSpec c) => c.Eps is { } eps ? Math.Round(eps * 255, 6) : c.Queries;

    static int IndexOf(EvaluationTable table, string column) => table.Columns.ToList().IndexOf(column);
}
