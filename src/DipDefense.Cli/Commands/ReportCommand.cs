using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DipDefense.Data;
using DipDefense.Evaluation;
using Spectre.Console;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense report</c>: the tables of one or more result stores (Table 1 accuracy, Table 2 SSIM, the cost in seconds, each cell with its image
/// count and 95% interval, plus Avg and the worst case over attacks) as Markdown and JSON, with the commands that made it,
/// and a PNG of accuracy against strength for every attack held at several strengths (<see cref="ReportFigures"/>). Stores that
/// differ only in their defenses report together, one row per defense (<see cref="StoreUnion"/>).
/// </summary>
internal static class ReportCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create()
    {
        var store = new Option<string[]>("--store")
        {
            Description = "The result store (dipdefense evaluate or merge); give it once per store to report stores that differ only in their defenses together.",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "The folder to write report.md and report.json into (created if absent; its parent must exist).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write the report's JSON to stdout as well." };
        var command = new Command("report", "Write a result store's tables (accuracy and SSIM per defense and attack, with intervals and the worst case over attacks) as Markdown and JSON.");
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(json);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            string folder = OutputPath.Folder(result.GetValue(output)!, output.Name);
            var union = StoreUnion.Read([.. result.GetValue(store)!.Select(Path.GetFullPath).Distinct()], otherDefenses: true);
            var (defenses, attacks, rows) = (union.Defenses, union.Attacks, union.Rows);
            string[] minimumNorm = [.. AttackSpec.ParseList(string.Join(",", attacks)).Where(a => a.MinimumNorm).Select(a => a.Column)];
            var withinL2 = minimumNorm.Length == 0 ? [] : AttackChoice.L2Radii.Select(r => EvaluationTables.AccuracyWithinL2(rows, defenses, minimumNorm, r)).ToArray();
            EvaluationTable[] tables =
            [
                EvaluationTables.Accuracy(rows, defenses, attacks), EvaluationTables.Ssim(rows, defenses, attacks), EvaluationTables.Seconds(rows, defenses, attacks),
                .. withinL2,
            ];
            string reportCommand = Invocation.CommandLine;

            Directory.CreateDirectory(folder);
            var figures = new List<ReportFigures.Figure>(ReportFigures.Draw(tables[0], folder, "accuracy", ""));
            foreach (var (table, radius) in withinL2.Zip(AttackChoice.L2Radii))
            {
                string r = radius.ToString(System.Globalization.CultureInfo.InvariantCulture);
                figures.AddRange(ReportFigures.Draw(table, folder, $"accuracy within L2 radius {r}", $"-l2-{r}"));
            }
            AtomicFile.WriteAllText(Path.Combine(folder, "report.md"), Markdown(reportCommand, union, tables, figures));
            var document = new JsonObject
            {
                ["command"] = reportCommand,
                ["version"] = Invocation.Version,
                ["stores"] = new JsonArray([.. union.Sources.Select(source => (JsonNode)new JsonObject
                {
                    ["store"] = source.Path,
                    ["settings_hash"] = source.Settings.Hash,
                    ["settings"] = JsonNode.Parse(source.Settings.Json),
                })]),
                ["disagreeing_rows"] = new JsonArray([.. union.Disagreeing.Select(row => (JsonNode)row)]),
                ["store_commands"] = new JsonArray([.. union.Sources.SelectMany(source => source.Commands.Select(c => (JsonNode)new JsonObject
                {
                    ["store"] = source.Path,
                    ["command"] = c.Command,
                    ["version"] = c.Version,
                    ["started"] = c.Started,
                }))]),
                ["tables"] = new JsonArray([.. tables.Select(ToJson)]),
                ["figures"] = new JsonArray([.. figures.Select(f => (JsonNode)new JsonObject
                {
                    ["attack"] = f.Attack,
                    ["file"] = f.File,
                    ["what"] = f.What,
                    ["strength"] = f.StrengthLabel,
                    ["curves"] = new JsonArray([.. f.Curves.Select(c => (JsonNode)new JsonObject
                    {
                        ["defense"] = c.Name,
                        ["strengths"] = new JsonArray([.. c.Strength.Select(v => (JsonNode)v)]),
                        ["accuracy"] = new JsonArray([.. c.Accuracy.Select(v => (JsonNode)v)]),
                    })]),
                })]),
            };
            string text = document.ToJsonString(Json);
            AtomicFile.WriteAllText(Path.Combine(folder, "report.json"), text + Environment.NewLine);

            if (console.IsJson)
                Console.Out.WriteLine(text);
            else
                console.Report.WriteLine($"{rows.Count} rows: {Path.Combine(folder, "report.md")}, {Path.Combine(folder, "report.json")}");
            return 0;
        });
        return command;
    }

    static string Markdown(string command, StoreUnion union, IReadOnlyList<EvaluationTable> tables, IReadOnlyList<ReportFigures.Figure> figures)
    {
        var stores = union.Sources;
        var text = new StringBuilder();
        text.AppendLine("# Evaluation report").AppendLine();
        text.AppendLine($"Made by `{command}` from {string.Join(", ", stores.Select(s => $"`{Path.GetRelativePath(Environment.CurrentDirectory, s.Path)}` (settings {s.Settings.Hash})"))}.").AppendLine();
        text.AppendLine("Each cell: the figure, its 95% interval (accuracy: Wilson; SSIM and seconds: normal, of the mean) and the number of images. " +
            $"{EvaluationTables.Average} pools every attack column; \"{EvaluationTables.WorstCase}\" counts an image as robust only if every attack failed on it.").AppendLine();
        if (union.Disagreeing.Count > 0)
            text.AppendLine($"{union.Disagreeing.Count} row(s) held by several stores differ beyond their timings; the first store's are used: " +
                $"{string.Join(", ", union.Disagreeing.Take(5))}{(union.Disagreeing.Count > 5 ? ", …" : "")}.").AppendLine();
        foreach (var table in tables)
            text.AppendLine($"## {table.Title}").AppendLine().Append(table.ToMarkdown()).AppendLine();
        if (figures.Count > 0)
        {
            text.AppendLine("## Accuracy against the attack's strength").AppendLine();
            foreach (var figure in figures)
                text.AppendLine($"![{figure.Attack}: {figure.What} against {figure.StrengthLabel}]({figure.File})").AppendLine();
        }
        text.AppendLine(stores.Count == 1 ? "## Commands that wrote the store" : "## Commands that wrote the stores").AppendLine();
        foreach (var c in stores.SelectMany(s => s.Commands))
            text.AppendLine($"- {c.Started}, DipDefense {c.Version}: `{c.Command}`");
        return text.ToString();
    }

    static JsonNode ToJson(EvaluationTable table) => new JsonObject
    {
        ["title"] = table.Title,
        ["measure"] = table.Measure,
        ["columns"] = new JsonArray([.. table.Columns.Select(c => (JsonNode)c)]),
        ["rows"] = new JsonArray([.. table.Rows.Select(row => (JsonNode)new JsonObject
        {
            ["defense"] = row.Defense,
            ["cells"] = new JsonArray([.. row.Cells.Select(cell => (JsonNode)new JsonObject
            {
                ["count"] = cell.Count,
                ["value"] = Output.Number(cell.Value),
                ["low"] = Output.Number(cell.Low),
                ["high"] = Output.Number(cell.High),
            })]),
        })]),
    };
}
