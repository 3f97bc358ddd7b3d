using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DipDefense.Tests.Packaging;

/// <summary>What a sample printed, with readers for the shapes the samples print (samples/Shared/Notebook.cs).</summary>
public sealed partial record SampleOutput(string Text)
{
    string[] Lines => Text.ReplaceLineEndings("\n").Split('\n');

    /// <summary>
    /// The rows of the table whose header holds exactly <paramref name="header"/>: columns are separated by two or more
    /// spaces, and the rows run to the first blank line. Fails when no such table was printed or a row is ragged.
    /// </summary>
    public IReadOnlyList<string[]> Table(params string[] header)
    {
        var lines = Lines;
        int start = Array.FindIndex(lines, line => Columns(line).SequenceEqual(header));
        Assert.True(start >= 0, $"no table with the columns {string.Join(" | ", header)} in:\n{Text}");
        var rows = lines.Skip(start + 1).TakeWhile(line => line.Trim().Length > 0).Select(Columns).ToList();
        foreach (var row in rows)
            Assert.True(row.Length == header.Length, $"the row '{string.Join(" | ", row)}' does not have the columns {string.Join(" | ", header)}");
        return rows;
    }

    /// <summary>The first line that matches <paramref name="pattern"/> (anchored at both ends); fails when none does.</summary>
    public Match Line([StringSyntax(StringSyntaxAttribute.Regex)] string pattern)
    {
        var regex = new Regex($"^{pattern}$");
        var match = Lines.Select(line => regex.Match(line.TrimEnd())).FirstOrDefault(m => m.Success);
        Assert.True(match is not null, $"no line matches /{pattern}/ in:\n{Text}");
        return match;
    }

    /// <summary>
    /// Checks the "name accuracy 0.750 (3/4)" lines: exactly the names of <paramref name="columns"/>, each over all rows,
    /// each value the count over the total, and each count the number of rows whose column equals the truth column
    /// (not checked for a name whose column is null: the table does not show those labels).
    /// </summary>
    public void AssertAccuraciesMatch(IReadOnlyList<string[]> rows, int truthColumn, IReadOnlyDictionary<string, int?> columns)
    {
        var accuracies = AccuracyPattern().Matches(Text).ToDictionary(m => m.Groups[1].Value, m => m);
        Assert.Equal(columns.Keys.Order(), accuracies.Keys.Order());
        foreach (var (name, column) in columns)
        {
            var groups = accuracies[name].Groups;
            int correct = int.Parse(groups[3].Value), total = int.Parse(groups[4].Value);
            Assert.Equal(rows.Count, total);
            if (column is int c)
                Assert.Equal(rows.Count(row => row[c] == row[truthColumn]), correct);
            Assert.Equal((double)correct / total, double.Parse(groups[2].Value, CultureInfo.InvariantCulture), 3);
        }
    }

    static string[] Columns(string line) => ColumnSeparator().Split(line.Trim());

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex ColumnSeparator();

    [GeneratedRegex(@"^(\S+) accuracy\s+([0-9.]+) \((\d+)/(\d+)\)\r?$", RegexOptions.Multiline)]
    private static partial Regex AccuracyPattern();
}
