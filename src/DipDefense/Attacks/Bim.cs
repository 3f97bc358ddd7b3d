using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// BIM (iterative FGSM) of Kurakin, Goodfellow and Bengio, "Adversarial Examples in the Physical World"
/// (ICLR 2017 workshop, https://arxiv.org/abs/1607.02533), as in torchattacks <c>BIM</c>.
/// </summary>
/// <remarks>
/// <para>Distance measure: L∞.</para>
/// <para>From the clean image, <see cref="Steps"/> times: signed gradient step of size alpha, clip to
/// <c>[max(x − eps, 0), min(x + eps, 1)]</c>. No random start (that is what distinguishes it from PGD).</para>
/// <para>Arguments (torchattacks defaults): eps = 8/255, alpha = 2/255, steps = 10. As in the paper and torchattacks,
/// steps = 0 means <c>int(min(eps·255 + 4, 1.25·eps·255))</c>.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class Bim : GradientAttack
{
    /// <summary>Creates a BIM attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eps">Maximum L∞ perturbation (default 8/255); finite, ≥ 0.</param>
    /// <param name="alpha">Step size (default 2/255); finite, ≥ 0.</param>
    /// <param name="steps">Number of steps (default 10); 0 selects <c>int(min(eps·255 + 4, 1.25·eps·255))</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public Bim(nn.Module<Tensor, Tensor> model, double eps = 8.0 / 255, double alpha = 2.0 / 255, int steps = 10)
        : base("BIM", model)
    {
        Eps = AttackGuard.NonNegative(eps, nameof(eps));
        Alpha = AttackGuard.NonNegative(alpha, nameof(alpha));
        Steps = AttackGuard.AtLeast(steps, 0, nameof(steps)) == 0
            ? (int)Math.Min(eps * 255 + 4, 1.25 * eps * 255)
            : steps;
    }

    /// <summary>Maximum L∞ perturbation.</summary>
    public double Eps { get; }

    /// <summary>Step size.</summary>
    public double Alpha { get; }

    /// <summary>Number of steps (after resolving 0 to the paper's rule).</summary>
    public int Steps { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        var lower = (images - Eps).clamp_min(0.0);
        var upper = (images + Eps).clamp_max(1.0);
        var adversarial = images.clone();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradient = InputGradient(adversarial, labels);
            var next = (adversarial + Alpha * gradient.sign()).clamp(lower, upper).MoveToOuterDisposeScope();
            adversarial.Dispose();
            adversarial = next;
        }
        return adversarial;
    }
}
