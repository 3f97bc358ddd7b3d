using DipDefense.Evaluation;

namespace DipDefense.Tests.Evaluation;

public class EvaluationTablesTests
{
    static EvaluationRow Row(string defense, string attack, int image, int purified, double ssim = 0.9) =>
        new(defense, attack, image, TrueLabel: 1, AdversarialLabel: 0, PurifiedLabel: purified, ssim, L2: 0, Linf: 0, AttackSeconds: 0, PurifySeconds: 0, Queries: 0, Seed: image, SettingsHash: "h");

    [Theory]
    [InlineData(0, 4, 0.0, 0.4899)]
    [InlineData(4, 4, 0.5101, 1.0)]
    [InlineData(8, 10, 0.4902, 0.9433)]
    [InlineData(50, 100, 0.4038, 0.5962)]
    public void WilsonIntervalsMatchHandComputedValues(int successes, int count, double low, double high)
    {
        var (l, h) = ConfidenceInterval.Wilson(successes, count);
        Assert.Equal(low, l, 4);
        Assert.Equal(high, h, 4);
    }

    [Fact]
    public void AnEmptyCellHasNoInterval()
    {
        var (l, h) = ConfidenceInterval.Wilson(0, 0);
        Assert.True(double.IsNaN(l) && double.IsNaN(h));
    }

    [Fact]
    public void AccuracyHasAColumnPerAttackThePooledAverageAndTheWorstCase()
    {
        EvaluationRow[] rows =
        [
            // image 0: robust to both attacks; image 1: robust to a only; image 2: only attack a is stored
            Row("d", "a", 0, 1), Row("d", "b", 0, 1),
            Row("d", "a", 1, 1), Row("d", "b", 1, 0),
            Row("d", "a", 2, 0),
            Row("other", "a", 0, 0),
        ];
        var table = EvaluationTables.Accuracy(rows, ["d"], ["a", "b"]);

        Assert.Equal(["a", "b", EvaluationTables.Average, EvaluationTables.WorstCase], table.Columns);
        var cells = Assert.Single(table.Rows).Cells;
        Assert.Equal((3, 2.0 / 3), (cells[0].Count, cells[0].Value));
        Assert.Equal((2, 0.5), (cells[1].Count, cells[1].Value));
        Assert.Equal((5, 3.0 / 5), (cells[2].Count, cells[2].Value));
        Assert.Equal((2, 0.5), (cells[3].Count, cells[3].Value));   // image 2 lacks attack b and is left out
        Assert.Equal(ConfidenceInterval.Wilson(1, 2), (cells[3].Low, cells[3].High));
    }

    [Fact]
    public void WithinAnL2RadiusAnImageIsRobustWhenTheVictimIsRightOrTheAttackNeededMore()
    {
        EvaluationRow[] rows =
        [
            Row("d", "hsj", 0, 1) with { L2 = 0.1 },   // right
            Row("d", "hsj", 1, 0) with { L2 = 0.8 },   // fooled, but only beyond 0.5
            Row("d", "hsj", 2, 0) with { L2 = 0.3 },   // fooled within 0.5
        ];
        var table = EvaluationTables.AccuracyWithinL2(rows, ["d"], ["hsj"], 0.5);
        Assert.Equal("Accuracy within L2 radius 0.5", table.Title);
        Assert.Equal((3, 2.0 / 3), (table.Rows[0].Cells[0].Count, table.Rows[0].Cells[0].Value));
        Assert.Equal(1.0 / 3, EvaluationTables.AccuracyWithinL2(rows, ["d"], ["hsj"], 1.0).Rows[0].Cells[0].Value, 12);
    }

    [Fact]
    public void TheCostIsTheMeanOfAttackAndPurificationSeconds()
    {
        EvaluationRow[] rows =
        [
            Row("d", "a", 0, 1) with { AttackSeconds = 1, PurifySeconds = 2 },
            Row("d", "a", 1, 1) with { AttackSeconds = 3, PurifySeconds = 2 },
        ];
        var table = EvaluationTables.Seconds(rows, ["d"], ["a"]);
        Assert.Equal(["a", EvaluationTables.Average], table.Columns);
        Assert.Equal((2, 4.0), (table.Rows[0].Cells[0].Count, table.Rows[0].Cells[0].Value));
    }

    [Fact]
    public void SsimIsTheMeanPerCellWithANormalInterval()
    {
        EvaluationRow[] rows = [Row("d", "a", 0, 1, 0.8), Row("d", "a", 1, 1, 1.0)];
        var table = EvaluationTables.Ssim(rows, ["d"], ["a"]);
        var cell = table.Rows[0].Cells[0];
        Assert.Equal(0.9, cell.Value, 12);
        double half = ConfidenceInterval.Z95 * Math.Sqrt(0.02) / Math.Sqrt(2);
        Assert.Equal(0.9 - half, cell.Low, 12);
        Assert.Equal(0.9 + half, cell.High, 12);
        Assert.Contains("| d | 0.900 [", table.ToMarkdown());
    }
}
