using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// MI-FGSM, the momentum iterative FGSM of Dong et al., "Boosting Adversarial Attacks with Momentum"
/// (CVPR 2018, https://arxiv.org/abs/1710.06081), as in torchattacks <c>MIFGSM</c>.
/// </summary>
/// <remarks>
/// <para>Distance measure: L∞.</para>
/// <para>From the clean image, <see cref="Steps"/> times: <c>g = ∇ / mean(|∇|)</c> per image (L1 normalisation),
/// <c>m = g + decay · m</c>, <c>x' = x' + alpha · sign(m)</c>, projection onto the eps-ball, clamp to [0, 1].
/// (A zero gradient is left at zero instead of dividing by zero.)</para>
/// <para>Arguments (torchattacks defaults): eps = 8/255, alpha = 2/255, steps = 10, decay = 1.0.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class MiFgsm : GradientAttack
{
    /// <summary>Creates an MI-FGSM attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eps">Maximum L∞ perturbation (default 8/255); finite, ≥ 0.</param>
    /// <param name="alpha">Step size (default 2/255); finite, ≥ 0.</param>
    /// <param name="steps">Number of steps (default 10); ≥ 0.</param>
    /// <param name="decay">Momentum factor μ (default 1.0); finite, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public MiFgsm(nn.Module<Tensor, Tensor> model, double eps = 8.0 / 255, double alpha = 2.0 / 255, int steps = 10,
        double decay = 1.0) : base("MI-FGSM", model)
    {
        Eps = AttackGuard.NonNegative(eps, nameof(eps));
        Alpha = AttackGuard.NonNegative(alpha, nameof(alpha));
        Steps = AttackGuard.AtLeast(steps, 0, nameof(steps));
        Decay = AttackGuard.NonNegative(decay, nameof(decay));
    }

    /// <summary>Maximum L∞ perturbation.</summary>
    public double Eps { get; }

    /// <summary>Step size.</summary>
    public double Alpha { get; }

    /// <summary>Number of steps.</summary>
    public int Steps { get; }

    /// <summary>Momentum factor.</summary>
    public double Decay { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        var momentum = zeros_like(images);
        var adversarial = images.clone();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradient = InputGradient(adversarial, labels);
            var meanAbs = gradient.abs().mean(new long[] { 1, 2, 3 }, keepdim: true).clamp_min(1e-12);
            var nextMomentum = (gradient / meanAbs + Decay * momentum).MoveToOuterDisposeScope();
            var stepped = adversarial + Alpha * nextMomentum.sign();
            var delta = (stepped - images).clamp(-Eps, Eps);
            var next = (images + delta).clamp(0.0, 1.0).MoveToOuterDisposeScope();
            momentum.Dispose();
            adversarial.Dispose();
            momentum = nextMomentum;
            adversarial = next;
        }
        momentum.Dispose();
        return adversarial;
    }
}
