namespace DipDefense.Evaluation;

/// <summary>
/// The report's tables from the rows of an evaluation run: Table 1 (accuracy), Table 2 (SSIM against the clean
/// image) and the cost (seconds per image), one row per defense and one column per attack, plus "Avg" (all rows of the defense pooled, which is the
/// mean of the columns when every column holds the same images) and, for accuracy, "worst case" (an image counts as
/// robust only if the defended victim is right under every attack; images missing an attack are left out).
/// </summary>
public static class EvaluationTables
{
    /// <summary>The name of the pooled column.</summary>
    public const string Average = "Avg";

    /// <summary>The name of the worst-case-over-attacks column of the accuracy table.</summary>
    public const string WorstCase = "worst case";

    /// <summary>Table 1: the defended victim's accuracy, with Wilson 95% intervals.</summary>
    /// <param name="rows">The rows of the run.</param>
    /// <param name="defenses">The defenses, in row order.</param>
    /// <param name="attacks">The attack columns, in column order.</param>
    public static EvaluationTable Accuracy(IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses, IReadOnlyList<string> attacks) =>
        Proportions("Table 1: accuracy of the defended victim", "accuracy", rows, defenses, attacks, r => r.Robust);

    /// <summary>
    /// The accuracy that an attacker limited to an L2 perturbation of <paramref name="radius"/> achieves: an image counts
    /// as robust when the defended victim is right or the attack needed more than the radius (for minimum-norm attacks
    /// such as HopSkipJump, C&amp;W and DDN, whose budget is the distance they reach). Wilson 95% intervals.
    /// </summary>
    /// <param name="rows">The rows of the run.</param>
    /// <param name="defenses">The defenses, in row order.</param>
    /// <param name="attacks">The attack columns, in column order.</param>
    /// <param name="radius">The L2 radius, pixels in [0, 1].</param>
    public static EvaluationTable AccuracyWithinL2(IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses, IReadOnlyList<string> attacks, double radius) =>
        Proportions(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Accuracy within L2 radius {radius}"), "accuracy", rows, defenses, attacks,
            r => r.Robust || r.L2 > radius);

    static EvaluationTable Proportions(string title, string measure, IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses,
        IReadOnlyList<string> attacks, Func<EvaluationRow, bool> robust)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var tableRows = defenses.Select(defense =>
        {
            var mine = rows.Where(r => r.Defense == defense).ToArray();
            var cells = attacks.Select(attack => Proportion(mine.Where(r => r.Attack == attack).Select(robust).ToArray())).ToList();
            cells.Add(Proportion(mine.Where(r => attacks.Contains(r.Attack)).Select(robust).ToArray()));
            var worst = mine.Where(r => attacks.Contains(r.Attack)).GroupBy(r => r.Image)
                .Where(image => image.Select(r => r.Attack).Distinct().Count() == attacks.Count)
                .Select(image => image.All(robust)).ToArray();
            cells.Add(Proportion(worst));
            return new EvaluationTableRow(defense, cells);
        }).ToArray();
        return new EvaluationTable(title, measure, [.. attacks, Average, WorstCase], tableRows);
    }

    /// <summary>Table 2: the mean SSIM of the purified image against the clean image, with normal 95% intervals of the mean.</summary>
    /// <param name="rows">The rows of the run.</param>
    /// <param name="defenses">The defenses, in row order.</param>
    /// <param name="attacks">The attack columns, in column order.</param>
    public static EvaluationTable Ssim(IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses, IReadOnlyList<string> attacks) =>
        Means("Table 2: SSIM of the purified image against the clean image", "ssim", rows, defenses, attacks, r => r.Ssim);

    /// <summary>
    /// The cost: mean seconds per image of the attack (shared by every defense for a white-box attack; every
    /// purification of every step included for a defense-aware one) plus the purification, with normal 95% intervals.
    /// </summary>
    /// <param name="rows">The rows of the run.</param>
    /// <param name="defenses">The defenses, in row order.</param>
    /// <param name="attacks">The attack columns, in column order.</param>
    public static EvaluationTable Seconds(IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses, IReadOnlyList<string> attacks) =>
        Means("Seconds per image: attack and purification", "seconds", rows, defenses, attacks, r => r.AttackSeconds + r.PurifySeconds);

    static EvaluationTable Means(string title, string measure, IReadOnlyCollection<EvaluationRow> rows, IReadOnlyList<string> defenses,
        IReadOnlyList<string> attacks, Func<EvaluationRow, double> value)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var tableRows = defenses.Select(defense =>
        {
            var mine = rows.Where(r => r.Defense == defense).ToArray();
            var cells = attacks.Select(attack => Mean(mine.Where(r => r.Attack == attack).Select(value).ToArray())).ToList();
            cells.Add(Mean(mine.Where(r => attacks.Contains(r.Attack)).Select(value).ToArray()));
            return new EvaluationTableRow(defense, cells);
        }).ToArray();
        return new EvaluationTable(title, measure, [.. attacks, Average], tableRows);
    }

    static EvaluationCell Proportion(bool[] outcomes)
    {
        int correct = outcomes.Count(o => o);
        var (low, high) = ConfidenceInterval.Wilson(correct, outcomes.Length);
        return new EvaluationCell(outcomes.Length, outcomes.Length == 0 ? double.NaN : (double)correct / outcomes.Length, low, high);
    }

    static EvaluationCell Mean(double[] values)
    {
        var (low, high) = ConfidenceInterval.Mean(values);
        return new EvaluationCell(values.Length, values.Length == 0 ? double.NaN : values.Average(), low, high);
    }
}
