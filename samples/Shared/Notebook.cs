/// <summary>What every sample's notebook does: run its steps with clear exits, print headings and accuracies.</summary>
static class Notebook
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs <paramref name="notebook"/>. Bad arguments print the usage, and bad input
    /// (a missing or unreadable file, an invalid setting) prints one line; both exit with code 2.
    /// </summary>
    public static int Run(string sample, string usage, string[] args, IReadOnlyCollection<string> options, Func<SampleCommandLine, int> notebook)
    {
        SampleCommandLine commandLine;
        try
        {
            commandLine = SampleCommandLine.Parse(args, options);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{sample}: {e.Message}");
            Console.Error.WriteLine(usage);
            return 2;
        }
        try
        {
            return notebook(commandLine);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"{sample}: {e.Message}");
            return 2;
        }
    }

    /// <summary>Prints a step's heading.</summary>
    public static void Heading(string title) => Console.WriteLine($"\n## {title}");

    /// <summary>Prints "name accuracy  0.750 (3/4)".</summary>
    public static void PrintAccuracy(string name, IReadOnlyList<long> predicted, IReadOnlyList<long> truth)
    {
        int correct = predicted.Zip(truth).Count(p => p.First == p.Second);
        Console.WriteLine($"{name + " accuracy",-21} {(double)correct / truth.Count:0.000} ({correct}/{truth.Count})");
    }

    /// <summary>Prints rows as columns separated by at least two spaces (class names may hold one space), then a blank line.</summary>
    public static void PrintTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, c) => all.Max(row => row[c].Length)).ToArray();
        foreach (var row in all)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Count - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        Console.WriteLine();
    }

    /// <summary>"1 crossing", "2 crossings".</summary>
    public static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
