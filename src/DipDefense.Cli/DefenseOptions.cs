using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Dip;

namespace DipDefense.Cli;

/// <summary>The --defense option and the baselines' own options (docs/defenses.md), shared by the commands that purify.</summary>
internal sealed class DefenseOptions
{
    /// <summary>The --defense option: one defense, or (<paramref name="several"/>) a comma-separated list of them.</summary>
    public DefenseOptions(bool several = false)
    {
        Defense = new("--defense")
        {
            Description = several
                ? $"Comma-separated defenses among {string.Join(", ", DefenseChoice.Names)} (the baselines take their references' defaults)."
                : $"The defense: {string.Join(", ", DefenseChoice.Names)} (the baselines take their references' defaults).",
            DefaultValueFactory = _ => several ? $"{DefenseChoice.None},{DefenseChoice.DecisionDip}" : DefenseChoice.DecisionDip,
        };
    }

    public Option<string> Defense { get; }

    public Option<int> Quality { get; } = new("--quality") { Description = "jpeg: JPEG quality.", DefaultValueFactory = _ => new JpegCompressionOptions().Quality };
    public Option<int> Bits { get; } = new("--bits") { Description = "bit-depth: bits per channel kept.", DefaultValueFactory = _ => new BitDepthReductionOptions().Bits };
    public Option<int> Window { get; } = new("--window") { Description = "median: the side of the median window.", DefaultValueFactory = _ => new MedianSmoothingOptions().WindowSize };
    public Option<int> DipDefendIterations { get; } = new("--dipdefend-iterations") { Description = "dipdefend: Adam iterations of its DIP fit.", DefaultValueFactory = _ => new DipDefendOptions().Iterations };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Defense, Quality, Bits, Window, DipDefendIterations })
            command.Options.Add(option);
    }

    /// <summary>The chosen defense's name, checked.</summary>
    public string Name(ParseResult result) => Check(result.GetValue(Defense)!);

    /// <summary>The chosen defenses' names (a comma-separated list), checked, in the order given, without repeats.</summary>
    public IReadOnlyList<string> List(ParseResult result)
    {
        var names = result.GetValue(Defense)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Check).ToArray();
        if (names.Length == 0 || names.Distinct().Count() != names.Length)
            throw new ArgumentException($"--defense must list distinct defenses among {string.Join(", ", DefenseChoice.Names)}; got '{result.GetValue(Defense)}'.");
        return names;
    }

    static string Check(string name) =>
        DefenseChoice.Names.Contains(name) ? name : throw new ArgumentException($"--defense must be one of {string.Join(", ", DefenseChoice.Names)}; got '{name}'.");

    /// <summary>The chosen defense with its settings; the decision-space purifier takes <paramref name="dip"/> (seed and batch size go to DIPDefend too).</summary>
    public DefenseChoice Choice(ParseResult result, PurifierOptions dip) => Choice(Name(result), result, dip);

    /// <summary>The defense <paramref name="name"/> with the settings of <paramref name="result"/>.</summary>
    public DefenseChoice Choice(string name, ParseResult result, PurifierOptions dip) => new()
    {
        Name = name,
        DecisionDipOptions = dip,
        DipDefendOptions = new DipDefendOptions { Iterations = result.GetValue(DipDefendIterations), Seed = dip.Trace.Seed, BatchSize = dip.BatchSize },
        JpegOptions = new JpegCompressionOptions { Quality = result.GetValue(Quality) },
        BitDepthOptions = new BitDepthReductionOptions { Bits = result.GetValue(Bits) },
        MedianOptions = new MedianSmoothingOptions { WindowSize = result.GetValue(Window) },
    };

    /// <summary>
    /// The settings of the chosen defense that decide its output (for a store's settings record): batch size, refill and
    /// workers, which change only the speed, are left out; the DIP defenses add the trace's arithmetic version
    /// (<see cref="DipTraceRunner.ArithmeticVersion"/>), so that a store's rows never mix two versions of the kernels.
    /// </summary>
    public static object? SettingsOf(DefenseChoice choice) => choice.Name switch
    {
        // Seeds as run: the modes other than the vote read one trace whatever Seeds says.
        DefenseChoice.DecisionDip => WithTraceArithmetic(WithoutSettingsAddedLaterWhenOff(choice.DecisionDipOptions with
        {
            BatchSize = 0, RefillBatches = 0, Seeds = choice.DecisionDipOptions.TracesPerImage, Trace = choice.DecisionDipOptions.Trace with { Workers = 0 },
        })),
        DefenseChoice.DipDefend => WithTraceArithmetic(JsonSerializer.SerializeToNode(choice.DipDefendOptions with { BatchSize = 0, Workers = 0 }, RunSettings.JsonOptions)!.AsObject()),
        DefenseChoice.Jpeg => choice.JpegOptions,
        DefenseChoice.BitDepth => choice.BitDepthOptions,
        DefenseChoice.Median => choice.MedianOptions,
        _ => null,
    };

    /// <summary>
    /// The purifier's settings added after stores were first written (their JSON names): each switch with the value that
    /// turns it off and the fields it governs. They are left out of a store's settings while off, so that a store written
    /// before they existed accepts a rerun that does not use them, and one that uses them is refused.
    /// </summary>
    static readonly (string Switch, double Off, string[] Fields)[] SettingsAddedLater =
    [
        ("poor_fit", PurifierOptions.PoorFitOff, ["poor_fit"]),
        ("late_change_fit", PurifierOptions.LateChangeFitOff, ["late_change_fit"]),
        // φ_a is a condition of the margin: without the margin it decides nothing.
        ("ambiguous_margin", PurifierOptions.AmbiguousMarginOff, ["ambiguous_margin", "own_label_weight", "ambiguous_fit"]),
        ("ambiguous_fit", PurifierOptions.AmbiguousFitOff, ["ambiguous_fit"]),
        ("seeds", 1, ["seeds"]),
        ("mark_quorum", PurifierOptions.MarkQuorumAll, ["mark_quorum"]),
        ("settled_fit", PurifierOptions.SettledFitOff, ["settled_fit"]),
        ("marked_horizon", 1, ["marked_horizon"]),
        // Speed only, set to 0 by SettingsOf: never part of a store's settings.
        ("refill_batches", 0, ["refill_batches"]),
    ];

    static JsonObject WithTraceArithmetic(JsonObject settings)
    {
        settings["trace_arithmetic"] = DipTraceRunner.ArithmeticVersion;
        return settings;
    }

    static JsonObject WithoutSettingsAddedLaterWhenOff(PurifierOptions options)
    {
        var json = JsonSerializer.SerializeToNode(options, RunSettings.JsonOptions)!.AsObject();
        foreach (var (name, off, fields) in SettingsAddedLater)
            if (json[name]?.GetValue<double>() == off)
                foreach (string field in fields)
                    json.Remove(field);
        return json;
    }
}
