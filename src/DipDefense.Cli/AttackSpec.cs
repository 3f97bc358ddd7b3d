using DipDefense.Attacks;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Victims;
using static TorchSharp.torch;

namespace DipDefense.Cli;

/// <summary>
/// One column of <c>evaluate --attack</c>: <c>clean</c> (no attack); a white-box attack on the undefended victim, L∞
/// with its budget (<c>fgsm:8/255</c>, <c>pgd:…</c>, <c>bim:…</c>, <c>mifgsm:…</c>; 8/255 when omitted) or minimum-norm
/// L2 at its defaults (<c>cw</c>, <c>ddn</c>); or a defense-aware attack run against each defense:
/// <c>bpda-pgd:EPS[:STEPS]</c> (PGD, 10 steps unless given, through BPDA, with EOT for a randomized defense),
/// <c>bpda-apgd:EPS[:STEPS]</c> (APGD-CE, 100 steps unless given, the same way: AutoAttack's "rand" protocol with
/// <c>--eot 20</c>) and <c>hsj:QUERIES</c> (HopSkipJump L2 through the defense, 1000 queries when omitted).
/// </summary>
/// <param name="Column">The column's name, as given (the store's key).</param>
/// <param name="Name">The attack's name: <c>clean</c>, a name of <see cref="AttackChoice"/>, <c>bpda-pgd</c> or <c>bpda-apgd</c>.</param>
/// <param name="Eps">The L∞ budget (L∞ attacks only).</param>
/// <param name="Queries">The query budget (<c>hsj</c> only).</param>
/// <param name="Steps">The iterations (the BPDA attacks only).</param>
internal sealed record AttackSpec(string Column, string Name, double? Eps, int? Queries, int? Steps = null)
{
    public const string Clean = "clean";
    const string BpdaPgd = "bpda-pgd";
    const string BpdaApgd = "bpda-apgd";
    const string HopSkipJump = "hsj";

    static readonly string[] Supported = [Clean, "fgsm", "pgd", "bim", "mifgsm", "apgd", "cw", "ddn", BpdaPgd, BpdaApgd, HopSkipJump];

    /// <summary>Whether the attack is run against each defense (else it is crafted once on the undefended victim and shared).</summary>
    public bool DefenseAware => Name is BpdaPgd or BpdaApgd or HopSkipJump;

    /// <summary>Whether the attack is a minimum-norm L2 attack (its budget is the distance it reaches).</summary>
    public bool MinimumNorm => Name is "cw" or "ddn" or HopSkipJump;

    /// <summary>Whether the attack needs the victim's differentiable TorchSharp import.</summary>
    public bool NeedsGradients => Name is not (Clean or HopSkipJump);

    /// <summary>Parses a comma-separated list of columns, without repeats.</summary>
    public static IReadOnlyList<AttackSpec> ParseList(string text)
    {
        var specs = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToArray();
        if (specs.Length == 0 || specs.DistinctBy(s => s.Column).Count() != specs.Length)
            throw new ArgumentException($"--attack must list distinct attacks such as clean,fgsm:8/255,pgd:8/255,cw,ddn; got '{text}'.");
        return specs;
    }

    static AttackSpec Parse(string column)
    {
        var parts = column.Split(':', 2);
        string name = parts[0];
        string? argument = parts.Length == 2 ? parts[1] : null;
        if (!Supported.Contains(name))
            throw new ArgumentException($"--attack '{column}': the attack must be one of {string.Join(", ", Supported)}.");
        if (name is BpdaPgd or BpdaApgd)
        {
            var budget = (argument ?? "8/255").Split(':', 2);
            return new AttackSpec(column, name, Fraction.ParseBudget(budget[0], $"--attack '{column}'"), null,
                budget.Length == 1 ? (name == BpdaPgd ? 10 : 100) : PositiveInteger(budget[1], column, $"{name}:EPS:STEPS takes a positive number of steps, such as {name}:8/255:50"));
        }
        if (AttackChoice.IsLinf(name))
            return new AttackSpec(column, name, Fraction.ParseBudget(argument ?? "8/255", $"--attack '{column}'"), null);
        if (name == HopSkipJump)
            return new AttackSpec(column, name, null, PositiveInteger(argument ?? "1000", column, "hsj takes a positive query budget, such as hsj:1000"));
        if (argument is not null)
            throw new ArgumentException($"--attack '{column}': {name} takes no argument.");
        return new AttackSpec(column, name, null, null);
    }

    static int PositiveInteger(string text, string column, string rule) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value : throw new ArgumentException($"--attack '{column}': {rule}.");

    /// <summary>
    /// The attacked image, rounded to 8 bits, and the label queries it took; a copy of <paramref name="clean"/> for
    /// <c>clean</c>. The attack is built for this image with <paramref name="seed"/>.
    /// </summary>
    /// <param name="model">The victim's differentiable import (when <see cref="NeedsGradients"/>).</param>
    /// <param name="victim">The undefended victim.</param>
    /// <param name="defense">The defense a defense-aware attack targets, drawn with the image's seed; null for the others.</param>
    /// <param name="eot">EOT samples R of BPDA for a randomized defense (1 for a deterministic one).</param>
    /// <param name="clean">The image [1, C, H, W].</param>
    /// <param name="label">Its true label [1].</param>
    /// <param name="seed">The image's seed.</param>
    public (Tensor Image, long Queries) Run(nn.Module<Tensor, Tensor>? model, IClassifier victim, IPurifier? defense, int eot, Tensor clean, Tensor label, long seed)
    {
        if (Name == Clean)
            return (clean.clone(), 0);
        if (DefenseAware != defense is not null)
            throw new InvalidOperationException($"{Column}: a defense is needed exactly for a defense-aware attack.");
        switch (Name)
        {
            case BpdaPgd or BpdaApgd:
            {
                // Not disposed: disposing the module would dispose the victim's import it wraps.
                var through = new Bpda(defense!, model!, defense!.IsRandomized ? eot : 1, seed);
                Attack attack = Name == BpdaPgd
                    ? new Pgd(through, Eps!.Value, 2.0 / 255, Steps!.Value, randomStart: true, seed: seed)
                    : new Apgd(through, Eps!.Value, Steps!.Value, seed: seed);
                using var adversarial = attack.Run(clean, label);
                return (EightBitQuantization.Quantize(adversarial, clean, Eps.Value), 0);
            }
            case HopSkipJump:
            {
                var defended = new PurifiedClassifier(defense!, victim);
                using var adversarial = new HopSkipJump(defended, PerturbationNorm.L2, maxQueries: Queries!.Value, seed: seed).Run(clean, label);
                return (AdversarialRounding.ToEightBit(defended, clean, adversarial, label), defended.QueryCount);
            }
            default:
            {
                var settings = new AttackChoice.Settings(Eps ?? 0, null, null, seed, 0);
                long before = victim.QueryCount;
                using var adversarial = AttackChoice.Create(Name, () => model!, victim, settings).Run(clean, label);
                var rounded = AttackChoice.ToEightBit(Name, settings, victim, clean, adversarial, label);
                return (rounded, victim.QueryCount - before);
            }
        }
    }
}
