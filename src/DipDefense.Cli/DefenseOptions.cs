using System.CommandLine;
using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Victims;

namespace DipDefense.Cli;

/// <summary>The --defense option and the baselines' own options (docs/defenses.md), shared by the commands that purify.</summary>
internal sealed class DefenseOptions
{
    public const string DecisionDip = "decision-dip";
    private static readonly string[] Names = [DecisionDip, "dipdefend", "jpeg", "bit-depth", "median", "none"];

    public Option<string> Defense { get; } = new("--defense")
    {
        Description = $"The defense: {string.Join(", ", Names)} (the baselines take their references' defaults).",
        DefaultValueFactory = _ => DecisionDip,
    };

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
    public string Name(ParseResult result)
    {
        string name = result.GetValue(Defense)!;
        return Names.Contains(name) ? name : throw new ArgumentException($"--defense must be one of {string.Join(", ", Names)}; got '{name}'.");
    }

    /// <summary>The chosen defense; the decision-space purifier takes <paramref name="dip"/> (seed and batch size go to DIPDefend too).</summary>
    public IPurifier Create(ParseResult result, IClassifier victim, PurifierOptions dip) => Name(result) switch
    {
        DecisionDip => new DecisionSpacePurifier(victim, dip),
        "dipdefend" => new DipDefendPurifier(new DipDefendOptions { Iterations = result.GetValue(DipDefendIterations), Seed = dip.Trace.Seed, BatchSize = dip.BatchSize }),
        "jpeg" => new JpegCompression(new JpegCompressionOptions { Quality = result.GetValue(Quality) }),
        "bit-depth" => new BitDepthReduction(new BitDepthReductionOptions { Bits = result.GetValue(Bits) }),
        "median" => new MedianSmoothing(new MedianSmoothingOptions { WindowSize = result.GetValue(Window) }),
        _ => new IdentityPurifier(),
    };

    /// <summary>The DIP iterations per image that progress counts (1 for a defense without a trace).</summary>
    public int IterationsOf(ParseResult result, PurifierOptions dip) => Name(result) switch
    {
        DecisionDip => dip.Trace.Iterations,
        "dipdefend" => result.GetValue(DipDefendIterations),
        _ => 1,
    };
}
