using System.CommandLine;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Evaluation;
using DipDefense.Onnx;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense evaluate</c>: every (defense, attack, image) of a selection as one row of a SQLite store, resumable
/// and shardable (docs/evaluation.md#dipdefense-evaluate).
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var victim = new VictimOptions();
        var data = new DataOptions();
        var defenses = new DefenseOptions(several: true);
        var dip = new PurifierOptionsBinding();
        var device = new DeviceOption();
        var attacks = new Option<string>("--attack")
        {
            Description = "Comma-separated attack columns: clean, fgsm:EPS, pgd:EPS, bim:EPS, mifgsm:EPS (EPS such as 8/255), cw, ddn (crafted once per image on the undefended victim and shared by every defense), bpda-pgd:EPS, hsj:QUERIES (defense-aware: run against each defense).",
            DefaultValueFactory = _ => "clean,fgsm:8/255,pgd:8/255,cw,ddn",
        };
        var eot = new Option<int>("--eot") { Description = "EOT samples R of bpda-pgd against a randomized defense: purifications (fresh seeds) whose gradients each step averages.", DefaultValueFactory = _ => 1 };
        var shard = new Option<string>("--shard") { Description = "i/n: evaluate only the images at positions i, i + n, … of the selection (0 ≤ i < n); merge the shards' stores with dipdefense merge.", DefaultValueFactory = _ => "0/1" };
        var store = new Option<string>("--store") { Description = "The SQLite result store (created if absent; a rerun skips the images it holds).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("evaluate", "Evaluate defenses against attacks image by image into a SQLite store (one row per defense, attack and image; resumable, shardable).");
        victim.AddTo(command);
        data.AddTo(command);
        defenses.AddTo(command);
        dip.AddTo(command);
        foreach (var option in new Option[] { attacks, eot, shard, store, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            string storePath = OutputPath.File(result.GetValue(store)!, store.Name);
            var options = dip.Build(result);
            var choices = defenses.List(result).Select(name => defenses.Choice(name, result, options)).ToArray();
            string[] names = [.. choices.Select(c => c.Name)];
            var columns = AttackSpec.ParseList(result.GetValue(attacks)!);
            var part = Shard.Parse(result.GetValue(shard)!);
            int samples = result.GetValue(eot);
            if (samples < 1)
                throw new ArgumentException($"--eot must be positive; got {samples}.");
            var target = device.Resolve(result);

            using var images = data.Load(result);
            int offset = result.GetValue(data.Offset);
            var settings = SettingsOf(result, victim, data, columns, choices, options.Trace.Seed, samples);
            using var results = EvaluationStore.OpenOrCreate(storePath);
            results.Claim(settings);

            var done = results.CompleteImages(names.Length * columns.Count);
            var todo = Enumerable.Range(0, images.Count).Where(part.Contains).Where(p => !done.Contains(offset + p)).ToArray();
            int skipped = Enumerable.Range(0, images.Count).Count(part.Contains) - todo.Length;
            console.Progress.MarkupLineInterpolated($"[grey]{todo.Length} image(s) to evaluate, {skipped} already in the store; {names.Length} defense(s) × {columns.Count} attack(s)[/]");

            if (todo.Length > 0)
            {
                // Only a command that adds rows is one of "the commands that wrote the store" (report lists them).
                results.RecordCommand(Invocation.CommandLine, Invocation.Version);
                using var classifier = victim.Load(result, 100);
                classifier.EnsureCompatible(images.Channels, images.Height, images.Width);
                using var module = columns.Any(c => c.NeedsGradients) ? OnnxImporter.Load(result.GetValue(victim.Model)!.FullName, target) : null;
                var evaluator = new ImageEvaluator(classifier, module, columns,
                    choices.Select(c => (c.Name, c.Create(classifier))).ToArray(), samples, settings.Hash);
                console.WithProgress("evaluating", todo.Length, progress =>
                {
                    for (int i = 0; i < todo.Length; i++)
                    {
                        using var scope = NewDisposeScope();
                        int p = todo[i];
                        var image = images.Images.narrow(0, p, 1).to(target);
                        var label = images.Labels.narrow(0, p, 1).to(target);
                        results.AddImage(evaluator.Evaluate(offset + p, image, label, options.Trace.Seed));
                        progress.Report(i + 1);
                    }
                    return 0;
                });
            }

            var rows = results.Rows();
            var accuracy = EvaluationTables.Accuracy(rows, names, [.. columns.Select(c => c.Column)]);
            Print(console.Report, accuracy);
            console.WriteJson(new
            {
                store = storePath,
                settings_hash = settings.Hash,
                shard = part.ToString(),
                images_evaluated = todo.Length,
                images_skipped = skipped,
                rows = rows.Count,
            });
            return 0;
        });
        return command;
    }

    /// <summary>
    /// What decides the rows (the store's one setting): the model and data by content, the victim's preprocessing, the
    /// attack columns, each defense with the settings that change its output, the seed, and EOT when a column uses it.
    /// Selection, batch size and device are not settings.
    /// </summary>
    static RunSettings SettingsOf(ParseResult result, VictimOptions victim, DataOptions data, IReadOnlyList<AttackSpec> columns,
        IReadOnlyList<DefenseChoice> choices, long seed, int eot) =>
        RunSettings.From(new
        {
            model = new
            {
                sha256 = Invocation.ContentHash(result.GetValue(victim.Model)!.FullName),
                input_name = result.GetValue(victim.InputName),
                output_name = result.GetValue(victim.OutputName),
                scale = result.GetValue(victim.Scale),
                mean = result.GetValue(victim.Mean),
                std = result.GetValue(victim.Std),
            },
            data = new { sha256 = Invocation.ContentHash(result.GetValue(data.Data)!) },
            attacks = columns.Select(c => c.Column),
            defenses = choices.Select(c => new { name = c.Name, settings = DefenseOptions.SettingsOf(c) }),
            seed,
            eot = columns.Any(c => c.DefenseAware) ? eot : (int?)null,
        });

    /// <summary>The accuracy table of the store so far: each cell the accuracy and its image count.</summary>
    static void Print(IAnsiConsole console, EvaluationTable table)
    {
        var grid = new Table().AddColumns(["defense", .. table.Columns.Select(Markup.Escape)]);
        foreach (var row in table.Rows)
            grid.AddRow([Markup.Escape(row.Defense), .. row.Cells.Select(c => c.Count == 0 ? "-" : $"{c.Value:0.000} ({c.Count})")]);
        console.Write(grid);
    }
}
