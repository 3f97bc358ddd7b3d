using System.Globalization;
using DipDefense.Evaluation;
using DipDefense.Visualization;

namespace DipDefense.Cli;

/// <summary>
/// The figures of <c>dipdefense report</c>, drawn from an accuracy table (Table 1, or the accuracy within an L2
/// radius): each defense's accuracy against one parameter of an attack that the store holds at two or more values of
/// it, the others fixed: ε (/255) of an L∞ attack, the steps of a BPDA attack, the queries of HopSkipJump. For
/// <c>bpda-pgd</c> these are the paper's Fig. 4 (against ε and against iterations); for <c>hsj</c>, one figure per L2
/// radius, its Fig. 5 (queries × ε).
/// </summary>
internal static class ReportFigures
{
    /// <summary>One figure (<c>&lt;attack&gt;-vs-&lt;eps|steps|queries&gt;[-&lt;fixed values&gt;][-l2-&lt;radius&gt;].png</c>): the attack, its file name, what the y axis shows, the parameter along x, and each defense's points.</summary>
    public sealed record Figure(string Attack, string File, string What, string StrengthLabel, IReadOnlyList<AccuracyCurve> Curves);

    /// <summary>A parameter of the attack columns: its axis label, its short name in file names, and its value in a column (null: the column has none).</summary>
    sealed record Parameter(string Label, string Short, Func<AttackSpec, double?> Of);

    static readonly Parameter[] Parameters =
    [
        new("ε (/255)", "eps", c => c.Eps is { } eps ? Math.Round(eps * 255, 6) : null),
        new("iterations", "steps", c => c.Steps),
        new("queries", "queries", c => c.Queries),
    ];

    /// <summary>Draws the figures of an accuracy table into <paramref name="folder"/> and returns what they show.</summary>
    /// <param name="accuracy">Table 1, or an accuracy-within-L2 table.</param>
    /// <param name="folder">Where the PNGs go.</param>
    /// <param name="what">What the y axis shows, for the title (e.g. "accuracy").</param>
    /// <param name="fileSuffix">Appended to the file names of this table's figures (e.g. "-l2-0.5").</param>
    public static IReadOnlyList<Figure> Draw(EvaluationTable accuracy, string folder, string what, string fileSuffix)
    {
        var columns = AttackSpec.ParseList(string.Join(",", accuracy.Columns.Where(c => c is not (EvaluationTables.Average or EvaluationTables.WorstCase))));
        var figures = new List<Figure>();
        foreach (var family in columns.GroupBy(c => c.Name))
            foreach (var parameter in Parameters)
            {
                // Columns that differ only in this parameter form one figure.
                var groups = family.Where(c => parameter.Of(c) is not null)
                    .GroupBy(c => string.Join(",", Parameters.Where(p => p != parameter).Select(p => p.Of(c))))
                    .Where(g => g.Select(parameter.Of).Distinct().Count() >= 2).ToArray();
                foreach (var group in groups)
                {
                    string file = $"{family.Key}-vs-{parameter.Short}{(groups.Length > 1 ? "-" + Fixed(group.First(), parameter) : "")}{fileSuffix}.png";
                    if (Curves(accuracy, group.OrderBy(parameter.Of).ToArray(), parameter) is { Length: > 0 } curves)
                    {
                        AccuracyCurvePlot.Save(curves, $"{family.Key}: {what} against {parameter.Label}", parameter.Label, Path.Combine(folder, file));
                        figures.Add(new Figure(family.Key, file, what, parameter.Label, curves));
                    }
                }
            }
        return figures;
    }

    static AccuracyCurve[] Curves(EvaluationTable accuracy, AttackSpec[] ordered, Parameter parameter) =>
        accuracy.Rows.Select(row =>
        {
            var points = ordered.Select(c => (X: parameter.Of(c)!.Value, Cell: row.Cells[accuracy.Columns.ToList().IndexOf(c.Column)]))
                .Where(p => p.Cell.Count > 0).ToArray();
            return new AccuracyCurve(row.Defense, [.. points.Select(p => p.X)], [.. points.Select(p => p.Cell.Value)]);
        }).Where(c => c.Strength.Count > 0).ToArray();

    /// <summary>The other parameters' values of a group, for its file name (e.g. <c>eps8</c> or <c>steps50</c>).</summary>
    static string Fixed(AttackSpec column, Parameter varied) => string.Join("-",
        Parameters.Where(p => p != varied && p.Of(column) is not null).Select(p => p.Short + p.Of(column)!.Value.ToString(CultureInfo.InvariantCulture)));
}
