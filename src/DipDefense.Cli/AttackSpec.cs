using DipDefense.Attacks;
using DipDefense.Victims;
using static TorchSharp.torch;

namespace DipDefense.Cli;

/// <summary>
/// One column of <c>evaluate --attack</c>: <c>clean</c> (no attack), an L∞ attack with its budget
/// (<c>fgsm:8/255</c>, <c>pgd:…</c>, <c>bim:…</c>, <c>mifgsm:…</c>; 8/255 when omitted), or a minimum-norm L2 attack
/// at its defaults (<c>cw</c>, <c>ddn</c>). White-box attacks see the undefended victim only.
/// </summary>
/// <param name="Column">The column's name, as given (the store's key).</param>
/// <param name="Name">The attack's name in <see cref="AttackChoice"/>, or <c>clean</c>.</param>
/// <param name="Eps">The L∞ budget (L∞ attacks only).</param>
internal sealed record AttackSpec(string Column, string Name, double? Eps)
{
    public const string Clean = "clean";

    static readonly string[] Supported = [Clean, "fgsm", "pgd", "bim", "mifgsm", "cw", "ddn"];

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
        if (!Supported.Contains(name))
            throw new ArgumentException($"--attack '{column}': the attack must be one of {string.Join(", ", Supported)} (defense-aware attacks are not evaluated yet).");
        if (AttackChoice.IsLinf(name))
            return new AttackSpec(column, name, Fraction.Parse(parts.Length == 2 ? parts[1] : "8/255", $"--attack '{column}'"));
        if (parts.Length == 2)
            throw new ArgumentException($"--attack '{column}': {name} takes no budget (it is a minimum-norm attack).");
        return new AttackSpec(column, name, null);
    }

    /// <summary>
    /// The attacked image, rounded to 8 bits, and the victim queries it took; <paramref name="clean"/> itself (a copy)
    /// for <c>clean</c>. The attack is built for this image with <paramref name="seed"/>.
    /// </summary>
    public (Tensor Image, long Queries) Run(nn.Module<Tensor, Tensor> model, IClassifier classifier, Tensor clean, Tensor label, long seed)
    {
        if (Name == Clean)
            return (clean.clone(), 0);
        var settings = new AttackChoice.Settings(Eps ?? 0, null, null, seed, 0);
        long before = classifier.QueryCount;
        using var adversarial = AttackChoice.Create(Name, () => model, classifier, settings).Run(clean, label);
        var rounded = AttackChoice.ToEightBit(Name, settings, classifier, clean, adversarial, label);
        return (rounded, classifier.QueryCount - before);
    }
}
