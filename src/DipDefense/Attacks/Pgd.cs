using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// PGD, L∞ projected gradient descent of Madry et al., "Towards Deep Learning Models Resistant to Adversarial
/// Attacks" (ICLR 2018, https://arxiv.org/abs/1706.06083), as in torchattacks <c>PGD</c>.
/// </summary>
/// <remarks>
/// <para>Distance measure: L∞.</para>
/// <para>
/// Optional random start <c>x₀ = clamp(x + U(−eps, eps), 0, 1)</c>; then <see cref="Steps"/> times:
/// gradient of the cross-entropy with respect to the input only, signed step of size alpha, projection onto the
/// eps-ball around x, clamp to [0, 1], detach.
/// </para>
/// <para>Arguments (torchattacks defaults): eps = 8/255, alpha = 2/255, steps = 10, random_start = True. The
/// random start draws from a CPU <c>torch.Generator</c> seeded with <see cref="Seed"/> at every
/// <see cref="Attack.Run"/>, so the same seed gives the same result whatever the global RNG state.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class Pgd : GradientAttack
{
    /// <summary>Creates a PGD attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eps">Maximum L∞ perturbation (default 8/255); finite, ≥ 0.</param>
    /// <param name="alpha">Step size (default 2/255); finite, ≥ 0.</param>
    /// <param name="steps">Number of steps (default 10); ≥ 0.</param>
    /// <param name="randomStart">Start from a uniformly random point of the eps-ball (default true).</param>
    /// <param name="seed">Seed of the random start (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public Pgd(nn.Module<Tensor, Tensor> model, double eps = 8.0 / 255, double alpha = 2.0 / 255, int steps = 10,
        bool randomStart = true, long seed = 0) : base("PGD", model)
    {
        Eps = AttackGuard.NonNegative(eps, nameof(eps));
        Alpha = AttackGuard.NonNegative(alpha, nameof(alpha));
        Steps = AttackGuard.AtLeast(steps, 0, nameof(steps));
        RandomStart = randomStart;
        Seed = seed;
    }

    /// <summary>Maximum L∞ perturbation.</summary>
    public double Eps { get; }

    /// <summary>Step size.</summary>
    public double Alpha { get; }

    /// <summary>Number of steps.</summary>
    public int Steps { get; }

    /// <summary>Whether the attack starts from a random point of the eps-ball.</summary>
    public bool RandomStart { get; }

    /// <summary>Seed of the random start.</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        // Explicit scalars, held until the last native call that reads them (a temporary one can be freed by the finalizer thread mid-call).
        using var alpha = Alpha.ToScalar();
        using var low = (-Eps).ToScalar();
        using var high = Eps.ToScalar();
        using var zero = 0.0.ToScalar();
        using var one = 1.0.ToScalar();
        var adversarial = images.clone();
        if (RandomStart)
        {
            using var generator = CreateGenerator(Seed);
            using var noise = empty(images.shape, ScalarType.Float32, CPU).uniform_(-Eps, Eps, generator);
            using var onDevice = noise.to(images.device);
            var started = adversarial.add(onDevice).clamp_(zero, one);
            adversarial.Dispose();
            adversarial = started;
        }
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradient = InputGradient(adversarial, labels);
            var stepped = adversarial.add(gradient.sign().mul_(alpha));
            var delta = stepped.sub_(images).clamp_(low, high);
            var next = images.add(delta).clamp_(zero, one).MoveToOuterDisposeScope();
            adversarial.Dispose();
            adversarial = next;
        }
        return adversarial;
    }
}
