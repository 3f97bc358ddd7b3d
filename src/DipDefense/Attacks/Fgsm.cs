using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// FGSM, the Fast Gradient Sign Method of Goodfellow, Shlens and Szegedy, "Explaining and Harnessing
/// Adversarial Examples" (ICLR 2015, https://arxiv.org/abs/1412.6572), as in torchattacks <c>FGSM</c>.
/// </summary>
/// <remarks>
/// <para>Distance measure: L∞. One step <c>x' = clamp(x + eps · sign(∇ₓ CE(f(x), y)), 0, 1)</c>.</para>
/// <para>Arguments (torchattacks defaults): <c>eps</c> maximum perturbation = 8/255.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class Fgsm : GradientAttack
{
    /// <summary>Creates an FGSM attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eps">Maximum L∞ perturbation (default 8/255); finite, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is negative or not finite.</exception>
    public Fgsm(nn.Module<Tensor, Tensor> model, double eps = 8.0 / 255) : base("FGSM", model)
    {
        Eps = AttackGuard.NonNegative(eps, nameof(eps));
    }

    /// <summary>Maximum L∞ perturbation.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        var gradient = InputGradient(images, labels);
        return (images + Eps * gradient.sign()).clamp(0.0, 1.0);
    }
}
