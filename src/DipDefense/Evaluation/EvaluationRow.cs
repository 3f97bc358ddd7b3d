namespace DipDefense.Evaluation;

/// <summary>
/// One (defense, attack, image) measurement of an evaluation run: the victim's labels on the attacked and on the
/// purified image, the image quality and the cost. Attack "clean" is the unattacked image.
/// </summary>
/// <param name="Defense">The defense's name (e.g. <c>none</c>, <c>decision-dip</c>).</param>
/// <param name="Attack">The attack's column name (e.g. <c>clean</c>, <c>pgd:8/255</c>).</param>
/// <param name="Image">The image's index in the data set.</param>
/// <param name="TrueLabel">The data set's label.</param>
/// <param name="AdversarialLabel">The victim's label on the attacked (8-bit) image, before the defense.</param>
/// <param name="PurifiedLabel">The victim's label on the purified (8-bit) image.</param>
/// <param name="Ssim">SSIM of the purified image against the clean image.</param>
/// <param name="L2">L2 norm of the perturbation (attacked − clean), pixels in [0, 1].</param>
/// <param name="Linf">L∞ norm of the perturbation.</param>
/// <param name="AttackSeconds">Seconds spent crafting the attacked image (shared by every defense).</param>
/// <param name="PurifySeconds">Seconds spent purifying this image (its share of a batch).</param>
/// <param name="Queries">Victim queries the attack made through the classifier (label queries; 0 for gradient steps alone).</param>
/// <param name="Seed">The image's seed: the run's seed plus the image index (what its attacks draw from).</param>
/// <param name="SettingsHash">The hash of the run's settings that produced the row.</param>
public sealed record EvaluationRow(
    string Defense, string Attack, int Image, int TrueLabel, int AdversarialLabel, int PurifiedLabel,
    double Ssim, double L2, double Linf, double AttackSeconds, double PurifySeconds, long Queries, long Seed, string SettingsHash)
{
    /// <summary>Whether the defended victim classifies the image correctly.</summary>
    public bool Robust => PurifiedLabel == TrueLabel;

    /// <summary>The same row without its timings, which vary from run to run: what two runs of one setting must agree on.</summary>
    public EvaluationRow WithoutTimings() => this with { AttackSeconds = 0, PurifySeconds = 0 };
}
