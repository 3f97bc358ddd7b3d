using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// DDN, Decoupled Direction and Norm, of Rony et al., "Decoupling Direction and Norm for Efficient Gradient-Based
/// L2 Adversarial Attacks and Defenses" (CVPR 2019, https://arxiv.org/abs/1811.09600), following foolbox
/// <c>DDNAttack</c> (untargeted).
/// </summary>
/// <remarks>
/// <para>Distance measure: L2 (minimum-norm attack).</para>
/// <para>
/// From δ = 0 and a per-image norm ε = <see cref="InitNorm"/>, for step i of <see cref="Steps"/>: the step size
/// follows a cosine schedule from 1 to 0.01, <c>α_i = 0.01 + 0.99 · (1 + cos(π i / steps)) / 2</c>; the gradient
/// of the summed cross-entropy at x + δ is L2-normalised per image (an all-zero gradient is replaced by Gaussian
/// noise drawn from a generator seeded with <see cref="Seed"/>); if x + δ is misclassified and ‖δ‖₂ is the
/// smallest so far, δ is kept as the best; then <c>δ ← δ + α_i · ĝ</c>, <c>ε ← ε · (1 − γ)</c> if x + δ was
/// adversarial else <c>ε · (1 + γ)</c>, capped at the largest possible norm ‖max(x, 1 − x)‖₂; δ is projected onto
/// the sphere of radius ε and x + δ clamped to [0, 1]. Returns x + best δ, i.e. the original image when no
/// adversarial was found.
/// </para>
/// <para>Foolbox's code applies the cosine factor to the previous step size (so its step size decays faster than
/// the cosine schedule its comment describes); this class uses the closed-form cosine schedule of the paper. The
/// paper's optional 256-level quantisation is not applied (foolbox does not apply it either).</para>
/// <para>Arguments: steps = 100 (paper; foolbox's default is 10), gamma = 0.05, init_epsilon = 1.0 (foolbox).</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class Ddn : GradientAttack
{
    /// <summary>Creates a DDN attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="steps">Number of steps (default 100); ≥ 1.</param>
    /// <param name="gamma">Relative norm change per step (default 0.05); in (0, 1).</param>
    /// <param name="initNorm">Initial L2 norm ε (default 1.0); finite, &gt; 0.</param>
    /// <param name="seed">Seed of the noise that replaces all-zero gradients (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public Ddn(nn.Module<Tensor, Tensor> model, int steps = 100, double gamma = 0.05, double initNorm = 1.0, long seed = 0)
        : base("DDN", model)
    {
        Steps = AttackGuard.AtLeast(steps, 1, nameof(steps));
        Gamma = AttackGuard.OpenUnit(gamma, nameof(gamma));
        InitNorm = AttackGuard.Positive(initNorm, nameof(initNorm));
        Seed = seed;
    }

    /// <summary>Number of steps.</summary>
    public int Steps { get; }

    /// <summary>Relative norm change per step.</summary>
    public double Gamma { get; }

    /// <summary>Initial L2 norm.</summary>
    public double InitNorm { get; }

    /// <summary>Seed of the noise that replaces all-zero gradients.</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        using var generator = CreateGenerator(Seed);
        long n = images.shape[0];
        var delta = zeros_like(images);
        var epsilon = full(new[] { n }, InitNorm, ScalarType.Float32, images.device);
        var worstNorm = Norms(maximum(images, 1 - images));
        var bestL2 = worstNorm.clone();
        var bestDelta = zeros_like(images);

        for (int i = 0; i < Steps; i++)
        {
            using var scope = NewDisposeScope();
            double stepSize = 0.01 + (1 - 0.01) * (1 + Math.Cos(Math.PI * i / Steps)) / 2;

            var gradient = InputGradient(images + delta,
                (_, logits) => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum), out var logits);
            gradient = NormalizeGradient(gradient, generator);
            var isAdversarial = logits.argmax(1).ne(labels);

            var l2 = Norms(delta);
            var isBoth = isAdversarial.logical_and(l2.le(bestL2));
            var nextBestL2 = where(isBoth, l2, bestL2).MoveToOuterDisposeScope();
            var nextBestDelta = where(isBoth.view(-1, 1, 1, 1), delta, bestDelta).MoveToOuterDisposeScope();

            var stepped = delta + stepSize * gradient;
            var factor = where(isAdversarial, full_like(epsilon, 1 - Gamma), full_like(epsilon, 1 + Gamma));
            var nextEpsilon = minimum(epsilon * factor, worstNorm).MoveToOuterDisposeScope();
            var projected = stepped * (nextEpsilon / Norms(stepped).clamp_min(1e-12)).view(-1, 1, 1, 1);
            var nextDelta = ((images + projected).clamp(0.0, 1.0) - images).MoveToOuterDisposeScope();

            foreach (var old in new[] { delta, epsilon, bestL2, bestDelta })
                old.Dispose();
            (delta, epsilon, bestL2, bestDelta) = (nextDelta, nextEpsilon, nextBestL2, nextBestDelta);
        }

        var result = images + bestDelta;
        foreach (var old in new[] { delta, epsilon, bestL2, bestDelta, worstNorm })
            old.Dispose();
        return result;
    }

    private static Tensor Norms(Tensor x) => x.flatten(1).square().sum(1).sqrt();

    private static Tensor NormalizeGradient(Tensor gradient, Generator generator)
    {
        var zero = Norms(gradient).eq(0);
        if (zero.any().item<bool>())
        {
            var noise = randn(gradient.shape, ScalarType.Float32, CPU, generator: generator).to(gradient.device);
            gradient = where(zero.view(-1, 1, 1, 1), noise, gradient);
        }
        return gradient / Norms(gradient).clamp_min(1e-12).view(-1, 1, 1, 1);
    }
}
