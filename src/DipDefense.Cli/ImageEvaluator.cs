using System.Diagnostics;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Evaluation;
using DipDefense.Metrics;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli;

/// <summary>
/// Evaluates one image for <c>dipdefense evaluate</c>. White-box attacks are crafted once on the undefended victim and
/// shared by every defense; defense-aware attacks are crafted against each defense. Each defense then purifies the
/// image's attacked versions together, and the victim classifies them rounded to 8 bits. Seeds, for image k of A attack
/// columns and the run's seed s: the attacks use s + k; the defense is drawn with s + k·A, so that column a of its batch
/// draws s + k·A + a and no two (image, column) pairs share a draw; a defense-aware attack on column a targets the draw
/// s + k·A + a (with EOT, it averages over fresh draws instead).
/// </summary>
internal sealed class ImageEvaluator(
    IClassifier victim, nn.Module<Tensor, Tensor>? model, IReadOnlyList<AttackSpec> attacks,
    IReadOnlyList<(string Name, IPurifier Purifier)> defenses, int eot, string settingsHash)
{
    /// <summary>An attacked image and what was measured while crafting it.</summary>
    sealed record Attacked(Tensor Image, int Label, double L2, double Linf, double Seconds, long Queries);

    /// <summary>The rows of image <paramref name="index"/>: one per (defense, attack).</summary>
    /// <param name="index">The image's index in the data set.</param>
    /// <param name="clean">The image, [1, C, H, W] in [0, 1] on the working device.</param>
    /// <param name="label">The true label, int64 [1] on the same device.</param>
    /// <param name="runSeed">The run's seed s.</param>
    public IReadOnlyList<EvaluationRow> Evaluate(int index, Tensor clean, Tensor label, long runSeed)
    {
        using var scope = NewDisposeScope();
        long seed = unchecked(runSeed + index), defenseSeed = unchecked(runSeed + (long)index * attacks.Count);
        int truth = (int)label.cpu().item<long>();
        var shared = attacks.Where(a => !a.DefenseAware).ToDictionary(a => a.Column, a => Craft(a, null, clean, label, seed));
        var references = clean.expand(attacks.Count, -1, -1, -1);

        var rows = new List<EvaluationRow>();
        foreach (var (name, purifier) in defenses)
        {
            // A defense-aware attack on column a targets the very draw that then purifies its column (the strongest attacker).
            var attacked = attacks.Select((a, column) => a.DefenseAware
                ? Craft(a, purifier.WithSeed(unchecked(defenseSeed + column)), clean, label, seed)
                : shared[a.Column]).ToArray();
            var clock = Stopwatch.StartNew();
            using var result = purifier.WithSeed(defenseSeed).Purify(cat(attacked.Select(a => a.Image).ToArray(), 0));
            var purified = EightBitQuantization.Quantize(result.Purified);
            double seconds = clock.Elapsed.TotalSeconds / attacks.Count;
            long[] labels = victim.PredictLabels(purified);
            float[] ssim = ImageQuality.Ssim(purified, references).cpu().data<float>().ToArray();
            for (int a = 0; a < attacks.Count; a++)
            {
                var m = attacked[a];
                rows.Add(new EvaluationRow(name, attacks[a].Column, index, truth, m.Label, (int)labels[a], ssim[a], m.L2, m.Linf,
                    m.Seconds, seconds, m.Queries, seed, settingsHash));
            }
        }
        return rows;
    }

    Attacked Craft(AttackSpec attack, IPurifier? defense, Tensor clean, Tensor label, long seed)
    {
        var clock = Stopwatch.StartNew();
        var (image, queries) = attack.Run(model, victim, defense, eot, clean, label, seed);
        double seconds = clock.Elapsed.TotalSeconds;
        var delta = (image - clean).flatten();
        return new Attacked(image, (int)victim.PredictLabels(image)[0], delta.norm().item<float>(), delta.abs().max().item<float>(), seconds, queries);
    }
}
