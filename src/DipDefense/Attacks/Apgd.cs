using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// APGD-CE, the step-size-free L∞ attack of Croce and Hein, "Reliable evaluation of adversarial robustness with an
/// ensemble of diverse parameter-free attacks" (ICML 2020, https://arxiv.org/abs/2003.01690), as in torchattacks
/// <c>APGD</c> (norm Linf, loss ce, one restart), with EOT for randomized defenses.
/// </summary>
/// <remarks>
/// <para>Distance measure: L∞.</para>
/// <para>
/// Start from a random point of the eps-ball's surface (scaled so its largest component is eps); step size 2·eps. Each
/// step: a signed gradient step projected onto the eps-ball ∩ [0, 1], then momentum 0.75 towards it (none on the first
/// step). At checkpoints (first after 22% of the steps, then 3% of the steps earlier each time, never under 6%) an
/// image whose loss increased in at most <see cref="Rho"/> of the steps since the last checkpoint, or whose best loss
/// did not improve after an unreduced step size, halves its step size and restarts from its best point.
/// </para>
/// <para>
/// EOT: the gradient is averaged over <see cref="GradientAttack.EotSamples"/> passes (<see cref="Bpda.EotSamples"/>
/// when the victim is a <see cref="Bpda"/>), and decisions use the mean logits of those passes (torchattacks uses the
/// last pass). AutoAttack's protocol for randomized defenses ("rand") is 100 steps with EOT 20.
/// </para>
/// <para>
/// Output, as torchattacks: the last misclassified point of an image the attack fooled at some step, the clean image
/// otherwise. The random start draws from a CPU generator seeded with <see cref="Seed"/> at every run. The first
/// oscillation check compares the first step's loss with the loss at the start point (torchattacks compares it with a
/// zero-initialised buffer).
/// </para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N]; output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class Apgd : GradientAttack
{
    /// <summary>Creates an APGD-CE attack.</summary>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eps">Maximum L∞ perturbation (default 8/255); finite, ≥ 0.</param>
    /// <param name="steps">Number of steps (default 10, torchattacks; AutoAttack uses 100); ≥ 1.</param>
    /// <param name="rho">Share of increasing steps below which the step size is halved (default 0.75); in (0, 1).</param>
    /// <param name="seed">Seed of the random start (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public Apgd(nn.Module<Tensor, Tensor> model, double eps = 8.0 / 255, int steps = 10, double rho = 0.75, long seed = 0) : base("APGD-CE", model)
    {
        Eps = AttackGuard.NonNegative(eps, nameof(eps));
        Steps = AttackGuard.AtLeast(steps, 1, nameof(steps));
        Rho = AttackGuard.OpenUnit(rho, nameof(rho));
        Seed = seed;
    }

    /// <summary>Maximum L∞ perturbation.</summary>
    public double Eps { get; }

    /// <summary>Number of steps.</summary>
    public int Steps { get; }

    /// <summary>The oscillation threshold ρ.</summary>
    public double Rho { get; }

    /// <summary>Seed of the random start.</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    protected override Tensor Craft(Tensor images, Tensor labels)
    {
        int firstCheck = Math.Max((int)(0.22 * Steps), 1), shortest = Math.Max((int)(0.06 * Steps), 1), shrink = Math.Max((int)(0.03 * Steps), 1);
        long n = images.shape[0];
        long[] perImage = [n, 1, 1, 1];
        using var scope = NewDisposeScope();

        Tensor x;
        using (var generator = CreateGenerator(Seed))
        using (var start = NewDisposeScope())
        {
            var t = empty(images.shape, ScalarType.Float32, CPU).uniform_(-1, 1, generator).to(images.device);
            var largest = t.flatten(1).abs().amax([1]).clamp_min(1e-12).view(perImage);
            x = images.add(t.div(largest).mul(Eps)).clamp(0, 1).MoveToOuterDisposeScope();
        }
        var (grad, loss, wrong) = Evaluate(x, labels);
        var previous = x.clone();
        var best = x.clone();
        var bestGrad = grad.clone();
        var bestLoss = loss.clone();
        var bestAdversarial = x.clone();
        var fooled = wrong.clone();
        var stepSize = full(perImage, 2 * Eps, ScalarType.Float32, images.device);
        var losses = zeros([Steps + 1, n], ScalarType.Float32, images.device);   // row 0: the start, row i + 1: step i
        losses[0].copy_(loss);
        var reducedAtLastCheck = ones([n], ScalarType.Bool, images.device);
        var bestLossAtLastCheck = bestLoss.clone();

        int interval = firstCheck, sinceCheck = 0;
        for (int i = 0; i < Steps; i++)
        {
            using var iteration = NewDisposeScope();
            var momentum = x.sub(previous);
            previous.copy_(x);
            double a = i > 0 ? 0.75 : 1.0;
            var stepped = Project(x.add(stepSize.mul(grad.sign())), images);
            x.copy_(Project(x.add(stepped.sub(x).mul(a)).add(momentum.mul(1 - a)), images));

            var (g, l, w) = Evaluate(x, labels);
            grad.copy_(g);
            losses[i + 1].copy_(l);
            fooled.logical_or_(w);
            bestAdversarial.copy_(where(w.view(perImage), x, bestAdversarial));
            var improved = l.gt(bestLoss);
            best.copy_(where(improved.view(perImage), x, best));
            bestGrad.copy_(where(improved.view(perImage), g, bestGrad));
            bestLoss.copy_(where(improved, l, bestLoss));

            if (++sinceCheck < interval)
                continue;
            var increases = losses.narrow(0, i + 2 - interval, interval).gt(losses.narrow(0, i + 1 - interval, interval)).sum([0]);
            var oscillating = increases.le(interval * Rho);
            var stalled = reducedAtLastCheck.logical_not().logical_and(bestLossAtLastCheck.ge(bestLoss));
            var reduce = oscillating.logical_or(stalled);
            reducedAtLastCheck.copy_(reduce);
            bestLossAtLastCheck.copy_(bestLoss);
            var reduceImage = reduce.view(perImage);
            stepSize.copy_(where(reduceImage, stepSize.div(2), stepSize));
            x.copy_(where(reduceImage, best, x));
            grad.copy_(where(reduceImage, bestGrad, grad));
            sinceCheck = 0;
            interval = Math.Max(interval - shrink, shortest);
        }
        return where(fooled.view(perImage), bestAdversarial, images).MoveToOuterDisposeScope();
    }

    /// <summary>The EOT gradient of the summed per-image cross-entropy at <paramref name="x"/>, the per-image loss and whether each image is misclassified (both from the mean logits).</summary>
    (Tensor Gradient, Tensor Loss, Tensor Wrong) Evaluate(Tensor x, Tensor labels)
    {
        var gradient = InputGradient(x, (_, logits) => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum), out var meanLogits);
        var loss = nn.functional.cross_entropy(meanLogits, labels, reduction: nn.Reduction.None);
        return (gradient, loss, meanLogits.argmax(1).ne(labels));
    }

    /// <summary>Onto the eps-ball around <paramref name="images"/>, then into [0, 1].</summary>
    /// <remarks>
    /// The scalars are held until the calls return: a temporary one can be freed by the finalizer thread while libtorch
    /// still reads it when an EOT purification allocates on other threads (seen once in CI: "Expected false to be true" in
    /// c10::Scalar::toFloat).
    /// </remarks>
    Tensor Project(Tensor candidate, Tensor images)
    {
        using Scalar eps = Eps.ToScalar(), zero = 0.0.ToScalar(), one = 1.0.ToScalar();
        return minimum(maximum(candidate, images.sub(eps)), images.add(eps)).clamp(zero, one);
    }
}
