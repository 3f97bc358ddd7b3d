using System.Globalization;
using System.Text;

namespace DipDefense.Evaluation;

/// <summary>One cell of an evaluation table: a figure over <see cref="Count"/> images with its 95% interval.</summary>
/// <param name="Count">Images behind the figure.</param>
/// <param name="Value">The figure (accuracy or mean SSIM); NaN when <see cref="Count"/> is 0.</param>
/// <param name="Low">Lower end of the 95% interval (NaN where undefined).</param>
/// <param name="High">Upper end of the 95% interval.</param>
public sealed record EvaluationCell(int Count, double Value, double Low, double High);

/// <summary>One defense's row of an evaluation table: one cell per column.</summary>
/// <param name="Defense">The defense's name.</param>
/// <param name="Cells">One cell per column of the table, in column order.</param>
public sealed record EvaluationTableRow(string Defense, IReadOnlyList<EvaluationCell> Cells);

/// <summary>A table of the report: one row per defense, one column per attack plus summary columns.</summary>
/// <param name="Title">The table's title (e.g. "Table 1: accuracy").</param>
/// <param name="Measure">What the cells hold: <c>accuracy</c> (Wilson intervals), <c>ssim</c> or <c>seconds</c> (normal intervals of the mean).</param>
/// <param name="Columns">The column names, in order.</param>
/// <param name="Rows">One row per defense.</param>
public sealed record EvaluationTable(string Title, string Measure, IReadOnlyList<string> Columns, IReadOnlyList<EvaluationTableRow> Rows)
{
    /// <summary>The table as GitHub Markdown: each cell <c>value [low, high] (n)</c>, three decimals.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| defense | ").AppendJoin(" | ", Columns).AppendLine(" |");
        text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", Columns.Count))).AppendLine();
        foreach (var row in Rows)
            text.Append("| ").Append(row.Defense).Append(" | ").AppendJoin(" | ", row.Cells.Select(Format)).AppendLine(" |");
        return text.ToString();
    }

    static string Format(EvaluationCell cell)
    {
        if (cell.Count == 0)
            return "–";
        string value = cell.Value.ToString("0.000", CultureInfo.InvariantCulture);
        string interval = double.IsNaN(cell.Low) ? "" : string.Create(CultureInfo.InvariantCulture, $" [{cell.Low:0.000}, {cell.High:0.000}]");
        return $"{value}{interval} ({cell.Count})";
    }
}
