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

            var union = StoreUnion.Read(inputs, otherDefenses: false);
            var (settings, rows) = (union.Sources[0].Settings, union.Rows);
            AtomicFile.Create(outPath, temporary =>
            {
                using var merged = EvaluationStore.OpenOrCreate(temporary);
                merged.Claim(settings);
                foreach (var (line, version, started) in union.Sources.SelectMany(source => source.Commands))
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
}
