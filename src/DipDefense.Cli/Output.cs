using System.Text.Json;
using Spectre.Console;

namespace DipDefense.Cli;

/// <summary>
/// Where the tool writes: progress and human-readable tables go to stderr, so that with --json stdout
/// holds exactly one JSON object; without --json the human-readable report goes to stdout.
/// </summary>
internal sealed class Output
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Output(bool json)
    {
        IsJson = json;
        Progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        Report = json ? Progress : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
    }

    public bool IsJson { get; }

    /// <summary>stderr: progress bars and status lines.</summary>
    public IAnsiConsole Progress { get; }

    /// <summary>stdout without --json, stderr with it.</summary>
    public IAnsiConsole Report { get; }

    /// <summary>Runs <paramref name="work"/> with a progress bar of <paramref name="total"/> steps on stderr.</summary>
    public T WithProgress<T>(string description, int total, Func<IProgress<int>, T> work) =>
        Progress.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: total);
                return work(new Progress<int>(done => task.Value = done));
            });

    /// <summary>JSON has no NaN or infinity: an undefined figure (e.g. the accuracy of a class with no image) is null.</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Writes the single JSON object to stdout (only with --json).</summary>
    public void WriteJson(object value)
    {
        if (IsJson)
            Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));
    }
}
