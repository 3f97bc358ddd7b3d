using DipDefense.Attacks;
using DipDefense.Data;
using DipDefense.Victims;
using static TorchSharp.torch;

namespace DipDefense.Cli;

/// <summary>Maps the --attack name and its settings to an attack instance (the library itself takes no mode strings).</summary>
internal static class AttackChoice
{
    public static readonly string[] Names = ["fgsm", "pgd", "bim", "mifgsm", "apgd", "cw", "ddn", "hsj"];

    /// <summary>Attacks bounded in L∞ by --eps; the others (C&amp;W, DDN, HopSkipJump L2) are minimum-norm L2 attacks.</summary>
    public static bool IsLinf(string name) => name is "fgsm" or "pgd" or "bim" or "mifgsm" or "apgd";

    public static bool IsWhiteBox(string name) => name != "hsj";

    /// <summary>L2 radii at which the accuracy against minimum-norm attacks is reported (what a budget buys against them).</summary>
    public static readonly double[] L2Radii = [0.25, 0.5, 1.0];

    /// <summary>
    /// Rounds an attack's output to the 8 bits files store: L∞ attacks are quantised inside their budget, minimum-norm
    /// attacks with <see cref="AdversarialRounding"/> so that rounding does not undo them (docs/attacks.md).
    /// </summary>
    public static Tensor ToEightBit(string name, Settings s, IClassifier classifier, Tensor clean, Tensor adversarial, Tensor labels) =>
        IsLinf(name)
            ? EightBitQuantization.Quantize(adversarial, clean, s.Eps)
            : AdversarialRounding.ToEightBit(classifier, clean, adversarial, labels);

    public sealed record Settings(double Eps, double? Alpha, int? Steps, long Seed, int Queries, double Kappa = 0);

    public static Attack Create(string name, Func<nn.Module<Tensor, Tensor>> model, IClassifier classifier, Settings s) => name switch
    {
        "fgsm" => new Fgsm(model(), s.Eps),
        "pgd" => new Pgd(model(), s.Eps, s.Alpha ?? 2.0 / 255, s.Steps ?? 10, randomStart: true, seed: s.Seed),
        "bim" => new Bim(model(), s.Eps, s.Alpha ?? 2.0 / 255, s.Steps ?? 10),
        "mifgsm" => new MiFgsm(model(), s.Eps, s.Alpha ?? 2.0 / 255, s.Steps ?? 10),
        "apgd" => new Apgd(model(), s.Eps, s.Steps ?? 10, seed: s.Seed),
        "cw" => new CarliniWagnerL2(model(), kappa: s.Kappa, steps: s.Steps ?? 50),
        "ddn" => new Ddn(model(), steps: s.Steps ?? 100, seed: s.Seed),
        "hsj" => new HopSkipJump(classifier, PerturbationNorm.L2, maxQueries: s.Queries, seed: s.Seed),
        _ => throw new ArgumentException($"--attack must be one of {string.Join(", ", Names)}; got '{name}'."),
    };
}
