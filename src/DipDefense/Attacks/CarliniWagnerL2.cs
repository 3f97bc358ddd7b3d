using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// Carlini–Wagner L2 attack of Carlini and Wagner, "Towards Evaluating the Robustness of Neural Networks"
/// (IEEE S&amp;P 2017, https://arxiv.org/abs/1608.04644), as in torchattacks <c>CW</c> (fixed c, no binary search).
/// </summary>
/// <remarks>
/// <para>Distance measure: L2.</para>
/// <para>
/// Optimises <c>w</c> in tanh space, <c>x' = ½(tanh(w) + 1)</c> (so x' is always in [0, 1]), starting from
/// <c>w = atanh(2x − 1)</c>, with Adam (learning rate <see cref="Lr"/>, β = (0.9, 0.999), ε = 1e-8) on
/// <c>Σ‖x' − x‖₂² + c · Σ f(x')</c>, where for the true class y
/// <c>f(x') = max(Z(x')_y − max_{i≠y} Z(x')_i, −kappa)</c> (the untargeted form of
/// <c>max(max_{i≠t} Z_i − Z_t, −κ)</c>). Each image keeps the successful x' (misclassified with
/// <c>max_{i≠y} Z_i − Z_y ≥ κ</c>, the paper's success test) with the smallest L2 distance; an image never successful
/// comes back unchanged. As in torchattacks, the attack stops early when
/// the total cost, checked every max(steps / 10, 1) steps, has increased.
/// </para>
/// <para>Deviations from torchattacks: success needs the margin κ, as in the paper (torchattacks keeps the smallest
/// misclassified x', so its κ shapes the path but the kept image is usually just across the boundary); the largest
/// other logit is taken over i ≠ y (torchattacks multiplies by the one-hot complement, which counts Z_y as 0); <c>2x − 1</c> is clipped to ±(1 − 1e-6) before atanh so that
/// pixels at exactly 0 or 1 do not give infinite w.</para>
/// <para>Arguments (torchattacks defaults): c = 1, kappa = 0, steps = 50, lr = 0.01.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class CarliniWagnerL2 : GradientAttack
{
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;

    /// <summary>Creates a Carlini–Wagner L2 attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="c">Weight of the classification term (default 1); finite, &gt; 0.</param>
    /// <param name="kappa">Confidence margin κ (default 0); finite, ≥ 0.</param>
    /// <param name="steps">Adam steps (default 50); ≥ 1.</param>
    /// <param name="lr">Adam learning rate (default 0.01); finite, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public CarliniWagnerL2(nn.Module<Tensor, Tensor> model, double c = 1, double kappa = 0, int steps = 50, double lr = 0.01)
        : base("CW-L2", model)
    {
        C = AttackGuard.Positive(c, nameof(c));
        Kappa = AttackGuard.NonNegative(kappa, nameof(kappa));
        Steps = AttackGuard.AtLeast(steps, 1, nameof(steps));
        Lr = AttackGuard.Positive(lr, nameof(lr));
    }

    /// <summary>Weight c of the classification term.</summary>
    public double C { get; }

    /// <summary>Confidence margin κ.</summary>
    public double Kappa { get; }

    /// <summary>Number of Adam steps.</summary>
    public int Steps { get; }

    /// <summary>Adam learning rate.</summary>
    public double Lr { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        long n = images.shape[0];
        var w = ((images * 2 - 1).clamp(-(1 - 1e-6), 1 - 1e-6)).atanh();
        var m = zeros_like(w);
        var v = zeros_like(w);
        var best = images.clone();
        var bestL2 = full(new[] { n }, 1e10, ScalarType.Float32, images.device);
        double previousCost = 1e10;
        int checkEvery = Math.Max(Steps / 10, 1);

        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradient = InputGradient(w, (adv, logits) => SquaredL2(adv, images).sum() + C * Margin(logits, labels).sum(),
                out var logits, TanhSpace);

            // The point the gradient was taken at (as torchattacks, before the optimiser step).
            var adversarial = TanhSpace(w);
            var currentL2 = SquaredL2(adversarial, images);
            double cost = currentL2.sum().item<float>() + C * Margin(logits, labels).sum().item<float>();

            // Adam on w (torch.optim.Adam semantics).
            int t = step + 1;
            var nextM = (m * Beta1 + gradient * (1 - Beta1)).MoveToOuterDisposeScope();
            var nextV = (v * Beta2 + gradient.square() * (1 - Beta2)).MoveToOuterDisposeScope();
            var denominator = nextV.sqrt() / Math.Sqrt(1 - Math.Pow(Beta2, t)) + AdamEpsilon;
            var nextW = (w - Lr / (1 - Math.Pow(Beta1, t)) * nextM / denominator).MoveToOuterDisposeScope();

            // Keep the smallest successful perturbation per image: misclassified by a margin of at least κ (Carlini and
            // Wagner's success test; with κ = 0, misclassified).
            var improved = logits.argmax(1).ne(labels).logical_and(Margin(logits, labels, clamped: false).le(-Kappa))
                .logical_and(bestL2.gt(currentL2));
            var nextBestL2 = where(improved, currentL2, bestL2).MoveToOuterDisposeScope();
            var nextBest = where(improved.view(-1, 1, 1, 1), adversarial, best).MoveToOuterDisposeScope();

            foreach (var old in new[] { w, m, v, best, bestL2 })
                old.Dispose();
            (w, m, v, best, bestL2) = (nextW, nextM, nextV, nextBest, nextBestL2);

            if (step % checkEvery == 0)
            {
                if (cost > previousCost)
                    break;
                previousCost = cost;
            }
        }
        foreach (var old in new[] { w, m, v, bestL2 })
            old.Dispose();
        return best;
    }

    private static Tensor TanhSpace(Tensor w) => (w.tanh() + 1) * 0.5;

    private static Tensor SquaredL2(Tensor a, Tensor b) => (a - b).square().flatten(1).sum(1);

    /// <summary>f = max(Z_y − max_{i≠y} Z_i, −κ) per image; unclamped, Z_y − max_{i≠y} Z_i.</summary>
    private Tensor Margin(Tensor logits, Tensor labels, bool clamped = true)
    {
        var oneHot = nn.functional.one_hot(labels, logits.shape[1]).to_type(ScalarType.Bool);
        var real = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var other = logits.masked_fill(oneHot, float.NegativeInfinity).amax(new long[] { 1 });
        var margin = real - other;
        return clamped ? margin.clamp_min(-Kappa) : margin;
    }
}
