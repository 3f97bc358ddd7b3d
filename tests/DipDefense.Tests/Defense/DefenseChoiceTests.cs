using DipDefense.Baselines;
using DipDefense.Defense;

namespace DipDefense.Tests.Defense;

public class DefenseChoiceTests
{
    public static TheoryData<DefenseChoice, string, string> InvalidChoices => new()
    {
        { new DefenseChoice { Name = "blur" }, "Name", "must be one of" },
        { new DefenseChoice { Name = DefenseChoice.Jpeg, JpegOptions = new JpegCompressionOptions { Quality = 0 } }, "JpegOptions", "Quality" },
        { new DefenseChoice { Name = DefenseChoice.BitDepth, BitDepthOptions = null! }, "BitDepthOptions", "must not be null" },
        { new DefenseChoice { Name = DefenseChoice.DipDefend, DipDefendOptions = new DipDefendOptions { Iterations = 0 } }, "DipDefendOptions", "Iterations" },
        { new DefenseChoice { DecisionDipOptions = new PurifierOptions { WarmUp = -1 } }, "DecisionDipOptions", "WarmUp" },
    };

    [Theory]
    [MemberData(nameof(InvalidChoices))]
    public void AnInvalidChoiceIsRefusedNamingThePropertyAtFault(DefenseChoice choice, string property, string message)
    {
        var created = Assert.Throws<ArgumentException>(() => choice.Create(new ThresholdClassifier()));
        Assert.Equal(property, created.ParamName);
        Assert.Contains(message, created.Message);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => choice.Validate("options")).ParamName);   // a caller's own name wins
    }

    [Fact]
    public void OnlyTheChosenDefensesSettingsAreChecked()
    {
        var choice = new DefenseChoice { Name = DefenseChoice.Median, JpegOptions = new JpegCompressionOptions { Quality = 0 }, BitDepthOptions = null! };
        Assert.IsType<MedianSmoothing>(choice.Create(new ThresholdClassifier()));
    }
}
