using System.CommandLine;
using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Victims;

namespace DipDefense.Cli;

/// <summary>The --defense option and the baselines' own options (docs/defenses.md), shared by the commands that purify.</summary>
internal sealed class DefenseOptions
{
    public Option<string> Defense { get; } = new("--defense")
    {
        Description = $"The defense: {string.Join(", ", DefenseChoice.Names)} (the baselines take their references' defaults).",
        DefaultValueFactory = _ => DefenseChoice.DecisionDip,
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
        return DefenseChoice.Names.Contains(name) ? name : throw new ArgumentException($"--defense must be one of {string.Join(", ", DefenseChoice.Names)}; got '{name}'.");
    }

    /// <summary>The chosen defense with its settings; the decision-space purifier takes <paramref name="dip"/> (seed and batch size go to DIPDefend too).</summary>
    public DefenseChoice Choice(ParseResult result, PurifierOptions dip) => new()
    {
        Name = Name(result),
        DecisionDipOptions = dip,
        DipDefendOptions = new DipDefendOptions { Iterations = result.GetValue(DipDefendIterations), Seed = dip.Trace.Seed, BatchSize = dip.BatchSize },
        JpegOptions = new JpegCompressionOptions { Quality = result.GetValue(Quality) },
        BitDepthOptions = new BitDepthReductionOptions { Bits = result.GetValue(Bits) },
        MedianOptions = new MedianSmoothingOptions { WindowSize = result.GetValue(Window) },
    };
}
