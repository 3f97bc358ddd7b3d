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
/// Evaluates one image for <c>dipdefense evaluate</c>: every attack is crafted once on the undefended victim and
/// rounded to 8 bits; the attacked images of all attacks are then purified together by each defense (one batch, the
/// defense drawn with the image's seed, so attack a uses seed + a inside it), rounded to 8 bits and classified.
/// </summary>
internal sealed class ImageEvaluator(
    IClassifier victim, nn.Module<Tensor, Tensor>? model, IReadOnlyList<AttackSpec> attacks,
    IReadOnlyList<(string Name, IPurifier Purifier)> defenses, string settingsHash)
{
    /// <summary>The rows of image <paramref name="index"/>: one per (defense, attack).</summary>
    /// <param name="index">The image's index in the data set.</param>
    /// <param name="clean">The image, [1, C, H, W] in [0, 1] on the working device.</param>
    /// <param name="label">The true label, int64 [1] on the same device.</param>
    /// <param name="seed">The image's seed (the run's seed + <paramref name="index"/>).</param>
    public IReadOnlyList<EvaluationRow> Evaluate(int index, Tensor clean, Tensor label, long seed)
    {
        using var scope = NewDisposeScope();
        int truth = (int)label.cpu().item<long>();
        var attacked = new List<Tensor>();
        var measured = new List<(int Label, double L2, double Linf, double Seconds, long Queries)>();
        foreach (var attack in attacks)
        {
            var clock = Stopwatch.StartNew();
            var (image, queries) = attack.Run(model!, victim, clean, label, seed);
            double seconds = clock.Elapsed.TotalSeconds;
            var delta = (image - clean).flatten();
            measured.Add(((int)victim.PredictLabels(image)[0], delta.norm().item<float>(), delta.abs().max().item<float>(), seconds, queries));
            attacked.Add(image);
        }
        var batch = cat(attacked, 0);
        var references = clean.expand(batch.shape);

        var rows = new List<EvaluationRow>();
        foreach (var (name, purifier) in defenses)
        {
            var clock = Stopwatch.StartNew();
            using var result = purifier.WithSeed(seed).Purify(batch);
            var purified = EightBitQuantization.Quantize(result.Purified);
            double seconds = clock.Elapsed.TotalSeconds / attacks.Count;
            long[] labels = victim.PredictLabels(purified);
            float[] ssim = ImageQuality.Ssim(purified, references).cpu().data<float>().ToArray();
            for (int a = 0; a < attacks.Count; a++)
            {
                var m = measured[a];
                rows.Add(new EvaluationRow(name, attacks[a].Column, index, truth, m.Label, (int)labels[a], ssim[a], m.L2, m.Linf,
                    m.Seconds, seconds, m.Queries, seed, settingsHash));
            }
        }
        return rows;
    }
}
