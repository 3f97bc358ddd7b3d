using System.CommandLine;
using DipDefense.Data;
using DipDefense.Evaluation;
using Spectre.Console;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense merge</c>: the union of result stores of one setting (the shards of a run, or runs over different
/// images) into one store; two stores that disagree on a row are an error that names the rows.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var stores = new Argument<string[]>("stores") { Description = "The stores to merge (made by dipdefense evaluate with the same settings).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "The merged store to write (replaced if it exists; it must not be one of the inputs).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout." };
        var command = new Command("merge", "Merge result stores of one setting (e.g. the shards of an evaluate run) into one store.");
        command.Arguments.Add(stores);
        command.Options.Add(output);
        command.Options.Add(json);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            string outPath = OutputPath.File(result.GetValue(output)!, output.Name);
            string[] inputs = result.GetValue(stores)!.Select(Path.GetFullPath).ToArray();
            if (inputs.Contains(outPath))
                throw new ArgumentException($"--out '{outPath}' is one of the stores to merge; give a new file.");

            var (settings, commands, rows) = Union(inputs);
            AtomicFile.Create(outPath, temporary =>
            {
                using var merged = EvaluationStore.OpenOrCreate(temporary);
                merged.Claim(settings);
                foreach (var (line, version, started) in commands)
                    merged.RecordCommand(line, version, started);
                merged.RecordCommand(Invocation.CommandLine, Invocation.Version);
                merged.Add(rows, replace: false);
            });

            console.Report.WriteLine($"{rows.Count} rows from {inputs.Length} stores into {outPath}");
            console.WriteJson(new { output = outPath, stores = inputs, rows = rows.Count, settings_hash = settings.Hash });
            return 0;
        });
        return command;
    }

    /// <summary>The stores' common settings, their commands and the union of their rows; rows that differ beyond their timings are an error.</summary>
    static (RunSettings Settings, List<(string, string, string)> Commands, List<EvaluationRow> Rows) Union(string[] inputs)
    {
        RunSettings? settings = null;
        var commands = new List<(string, string, string)>();
        var rows = new Dictionary<(string, string, int), EvaluationRow>();
        var conflicts = new List<string>();
        foreach (string path in inputs)
        {
            using var store = EvaluationStore.OpenExisting(path);
            var mine = new RunSettings(store.Settings ?? throw new ArgumentException($"'{path}' holds no run yet."), store.SettingsHash!);
            settings ??= mine;
            if (mine.Hash != settings.Hash)
                throw new ArgumentException($"'{path}' was made with other settings than '{inputs[0]}' ({string.Join(", ", RunSettings.Differences(settings.Json, mine.Json))} differ); only stores of one setting merge.");
            commands.AddRange(store.Commands());
            foreach (var row in store.Rows())
            {
                var key = (row.Defense, row.Attack, row.Image);
                if (!rows.TryGetValue(key, out var existing))
                    rows[key] = row;
                else if (existing.WithoutTimings() != row.WithoutTimings())
                    conflicts.Add($"({row.Defense}, {row.Attack}, image {row.Image})");
            }
        }
        if (conflicts.Count > 0)
            throw new ArgumentException($"the stores disagree on {conflicts.Count} row(s): {string.Join(", ", conflicts.Take(5))}{(conflicts.Count > 5 ? ", …" : "")}; nothing was written.");
        return (settings!, commands, [.. rows.Values]);
    }
}
