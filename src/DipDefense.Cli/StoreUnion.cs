using System.Text.Json.Nodes;
using DipDefense.Evaluation;

namespace DipDefense.Cli;

/// <summary>
/// The union of result stores: <c>dipdefense merge</c> unites stores of one setting (the shards of a run), and
/// <c>dipdefense report</c> also stores that differ only in their defenses (defenses evaluated by separate runs on the
/// same model, data, attacks and seed), so that one Table 1 holds them all. A row that two stores hold with different
/// values (beyond the timings and the store's settings hash) is an error for merge that names the rows; a report keeps
/// the first store's row and counts it in <see cref="Disagreeing"/> (the attacks of separate runs can differ in their
/// last bits, docs/evaluation.md).
/// </summary>
/// <param name="Sources">Each store with its settings and the commands that wrote it, in the order given.</param>
/// <param name="Defenses">The defenses of the stores, each once, in the order they first appear.</param>
/// <param name="Attacks">The attack columns, which every store shares.</param>
/// <param name="Rows">Every row of every store, once.</param>
/// <param name="Disagreeing">The rows (defense, attack, image) that two stores hold with different values; the first store's row is kept.</param>
internal sealed record StoreUnion(IReadOnlyList<StoreUnion.Source> Sources, IReadOnlyList<string> Defenses, IReadOnlyList<string> Attacks,
    IReadOnlyList<EvaluationRow> Rows, IReadOnlyList<string> Disagreeing)
{
    /// <summary>One store: its full path, settings and the commands that wrote it.</summary>
    public sealed record Source(string Path, RunSettings Settings, IReadOnlyList<(string Command, string Version, string Started)> Commands);

    /// <summary>Reads the stores and unites their rows.</summary>
    /// <param name="paths">Full paths of existing stores.</param>
    /// <param name="otherDefenses">Whether the stores may differ in their defenses (a defense that two of them hold must have the same settings in both).</param>
    /// <exception cref="ArgumentException">A store holds no run, the settings differ beyond what is allowed, or (without <paramref name="otherDefenses"/>) two stores disagree on a row.</exception>
    public static StoreUnion Read(IReadOnlyList<string> paths, bool otherDefenses)
    {
        var sources = new List<Source>();
        var defenses = new Dictionary<string, (JsonNode? Settings, string Path)>();
        var rows = new Dictionary<(string, string, int), EvaluationRow>();
        var conflicts = new List<string>();
        foreach (string path in paths)
        {
            using var store = EvaluationStore.OpenExisting(path);
            var settings = new RunSettings(store.Settings ?? throw new ArgumentException($"'{path}' holds no run yet."), store.SettingsHash!);
            if (sources.Count > 0)
                Check(sources[0], path, settings, otherDefenses);
            foreach (var defense in JsonNode.Parse(settings.Json)!["defenses"]!.AsArray())
            {
                string name = (string)defense!["name"]!;
                if (!defenses.TryGetValue(name, out var first))
                    defenses[name] = (defense["settings"], path);
                else if (!JsonNode.DeepEquals(first.Settings, defense["settings"]))
                    throw new ArgumentException($"the defense '{name}' has other settings in '{path}' than in '{first.Path}'; a defense reports together only with itself.");
            }
            sources.Add(new Source(path, settings, store.Commands()));
            foreach (var row in store.Rows())
            {
                var key = (row.Defense, row.Attack, row.Image);
                if (!rows.TryGetValue(key, out var existing))
                    rows[key] = row;
                else if (Measured(existing) != Measured(row))
                    conflicts.Add($"({row.Defense}, {row.Attack}, image {row.Image})");
            }
        }
        if (conflicts.Count > 0 && !otherDefenses)
            throw new ArgumentException($"the stores disagree on {conflicts.Count} row(s): {string.Join(", ", conflicts.Take(5))}{(conflicts.Count > 5 ? ", …" : "")}; nothing was written.");
        string[] attacks = [.. JsonNode.Parse(sources[0].Settings.Json)!["attacks"]!.AsArray().Select(a => (string)a!)];
        return new StoreUnion(sources, [.. defenses.Keys], attacks, [.. rows.Values], conflicts);
    }

    /// <summary>What two stores must agree on for a row: all but its timings and the hash of the store's settings (which differ with the other defenses).</summary>
    static EvaluationRow Measured(EvaluationRow row) => row.WithoutTimings() with { SettingsHash = "" };

    static void Check(Source first, string path, RunSettings settings, bool otherDefenses)
    {
        if (settings.Hash == first.Settings.Hash)
            return;
        var differ = RunSettings.Differences(first.Settings.Json, settings.Json).Where(key => !otherDefenses || key != "defenses").ToArray();
        if (differ.Length > 0 || !otherDefenses)
            throw new ArgumentException($"'{path}' was made with other settings than '{first.Path}' ({string.Join(", ", differ.Length > 0 ? differ : ["defenses"])} differ); "
                + (otherDefenses ? "only stores that differ in their defenses report together." : "only stores of one setting merge."));
    }
}
