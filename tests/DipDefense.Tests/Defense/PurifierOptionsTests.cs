using System.Text.RegularExpressions;
using DipDefense.Defense;
using DipDefense.Dip;

namespace DipDefense.Tests.Defense;

public class PurifierOptionsTests
{
    [Fact]
    public void DefaultsAreThePapersDipSettingsAndValid()
    {
        var options = new PurifierOptions();
        options.Validate();
        Assert.Equal(1000, options.Trace.Iterations);
        Assert.Equal(200, options.Trace.Snapshots);
        Assert.Equal(0.01, options.Trace.LearningRate);
        Assert.Equal(DipNetworkConfig.Medium, options.Trace.Network);
        Assert.Equal(0, options.Trace.Seed);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(4, options.RefillBatches);   // speed only (docs/results/bench.md, "Refilling the batch")
        // The calibrated selection (docs/results/calibration.md, sections 9, 12, 13 and 21): the vote over two traces per
        // image with the clean guard (θ 1, μ 30, λ 0.35, φ_a 0.975) and φ_p 0.985.
        Assert.Equal(PurifierSelection.Vote, options.Selection);
        Assert.Equal(2, options.Seeds);
        Assert.Equal(2, options.TracesPerImage);
        Assert.Equal(1, options.GateThreshold);
        Assert.Equal(30, options.AmbiguousMargin);
        Assert.Equal(0.985, options.PoorFit);
        Assert.Equal(0.35, options.OwnLabelWeight);
        Assert.Equal(0.975, options.AmbiguousFit);
        Assert.Equal(0.985, options.SettledFit);    // the early stops per trace (sections 13 and 21: φ_s = φ_p)
        Assert.Equal(0.4, options.MarkedHorizon);
    }

    [Theory]
    [InlineData(PurifierSelection.Paper)]
    [InlineData(PurifierSelection.SupportGate)]
    public void SeveralSeedsAreASettingOfTheVoteTheOtherModesReadOneTrace(PurifierSelection selection)
    {
        var options = new PurifierOptions { Selection = selection, Seeds = 3 };
        options.Validate();
        Assert.Equal(1, options.TracesPerImage);
        Assert.Equal(3, (options with { Selection = PurifierSelection.Vote }).TracesPerImage);
    }

    [Theory]
    [InlineData(200, 20, 60)]
    [InlineData(10, 1, 3)]
    [InlineData(4, 0, 1)]
    [InlineData(1, 0, 1)]
    public void TheGateWindowIsAShareOfTheTraceOfAtLeastOneSnapshot(int snapshots, int start, int end)
    {
        Assert.Equal((start, end), new PurifierOptions().GateWindow(snapshots));
    }

    public static TheoryData<string, PurifierOptions> InvalidOptions => new()
    {
        { "Trace", new PurifierOptions { Trace = null! } },
        { "Iterations", new PurifierOptions { Trace = new DipTraceOptions { Iterations = 0 } } },
        { "SsimThreshold", new PurifierOptions { SsimThreshold = 1.5 } },
        { "SsimThreshold", new PurifierOptions { SsimThreshold = double.NaN } },
        { "WarmUp", new PurifierOptions { WarmUp = -1 } },
        { "WarmUp", new PurifierOptions { WarmUp = 199 } },
        { "Pairs", new PurifierOptions { Pairs = 0 } },
        { "Pairs", new PurifierOptions { Pairs = 201 } },
        { "StableRun", new PurifierOptions { StableRun = 0 } },
        { "StableRun", new PurifierOptions { StableRun = 200 } },
        { "Eta", new PurifierOptions { Eta = -0.1 } },
        { "Eta", new PurifierOptions { Eta = double.PositiveInfinity } },
        { "GridSections", new PurifierOptions { GridSections = 0 } },
        { "BatchSize", new PurifierOptions { BatchSize = 0 } },
        { "RefillBatches", new PurifierOptions { RefillBatches = 0 } },
        { "RefillBatches", new PurifierOptions { BatchSize = 1 << 20, RefillBatches = 1 << 12 } },
        { "Selection", new PurifierOptions { Selection = (PurifierSelection)7 } },
        { "GateThreshold", new PurifierOptions { GateThreshold = 1.5 } },
        { "GateThreshold", new PurifierOptions { GateThreshold = double.NaN } },
        { "PoorFit", new PurifierOptions { PoorFit = -0.1 } },
        { "PoorFit", new PurifierOptions { PoorFit = double.NaN } },
        { "LateChangeFit", new PurifierOptions { LateChangeFit = 1.5 } },
        { "LateChangeFit", new PurifierOptions { LateChangeFit = double.NaN } },
        { "AmbiguousMargin", new PurifierOptions { AmbiguousMargin = -1 } },
        { "AmbiguousMargin", new PurifierOptions { AmbiguousMargin = double.NaN } },
        { "AmbiguousFit", new PurifierOptions { AmbiguousFit = -0.1 } },
        { "AmbiguousFit", new PurifierOptions { AmbiguousFit = 1.5 } },
        { "OwnLabelWeight", new PurifierOptions { OwnLabelWeight = -0.1 } },
        { "OwnLabelWeight", new PurifierOptions { OwnLabelWeight = double.PositiveInfinity } },
        { "Seeds", new PurifierOptions { Seeds = 0 } },
        { "Seeds", new PurifierOptions { Seeds = PurifierOptions.MaxSeeds + 1 } },
        { "gate window", new PurifierOptions { GateFrom = 0.5, GateTo = 0.5 } },
        { "gate window", new PurifierOptions { GateFrom = -0.1 } },
        { "gate window", new PurifierOptions { GateTo = 1.5 } },
        { "gate window", new PurifierOptions { GateFrom = double.NaN } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsNameTheOption(string name, PurifierOptions options)
    {
        var ex = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains(name, ex.Message);
        Assert.Equal("options", ex.ParamName);
        Assert.Single(Regex.Matches(ex.Message, @"\(Parameter '")); // a nested setting's error is quoted without its own
        var ctor = Assert.Throws<ArgumentException>(() => new DecisionSpacePurifier(new ThresholdClassifier(), options));
        Assert.Contains(name, ctor.Message);
        Assert.Equal("options", ctor.ParamName);
        Assert.Single(Regex.Matches(ctor.Message, @"\(Parameter '"));
    }
}
