using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// BPDA, Backward Pass Differentiable Approximation of Athalye, Carlini and Wagner, "Obfuscated Gradients Give a
/// False Sense of Security" (ICML 2018, https://arxiv.org/abs/1802.00420), with EOT: turns
/// <c>model ∘ purifier</c>, where the purifier is non-differentiable (and possibly random), into a differentiable
/// victim that any <see cref="GradientAttack"/> can run against.
/// </summary>
/// <remarks>
/// <para>
/// Forward: <c>model(x + (purify(x) − x).detach())</c>, i.e. the logits of the purified image. Backward: the
/// purifier is replaced by the identity (straight-through estimator), so <c>∇ₓ = ∇_{x̂} model</c> evaluated at the
/// purified image x̂. The purifier is called under <c>torch.no_grad()</c> on a detached copy of the images;
/// it must map float32 [N, C, H, W] in [0, 1] to the same shape. With the identity purifier the forward pass is
/// bit-for-bit <c>model(x)</c>, so attacks through BPDA reproduce the plain attacks exactly.
/// </para>
/// <para>
/// EOT (Expectation over Transformation) averages the <em>gradient of the loss</em> over
/// <see cref="EotSamples"/> = R independent purifications, which is the EOT estimator of ∇ E[loss]. Averaging
/// logits inside the module would instead differentiate loss(E[logits]), a different (biased) objective, so the
/// averaging is not done here: every forward call performs one purification, and the attacks'
/// <see cref="GradientAttack.EotSamples"/> (which defaults to this R when the victim is a <see cref="Bpda"/>)
/// runs R forward/backward passes per gradient evaluation and averages the gradients; the logits they use for
/// decisions (e.g. "is this point adversarial?") are the mean over those R passes.
/// </para>
/// <para>The wrapped model is registered as a sub-module named "model", so <c>eval()</c>, <c>to()</c> and
/// <c>parameters()</c> reach it.</para>
/// </remarks>
public sealed class Bpda : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Func<Tensor, Tensor> purifier;

    /// <summary>Wraps <paramref name="model"/> ∘ <paramref name="purifier"/> for gradient attacks.</summary>
    /// <param name="purifier">Non-differentiable purifier: images [N, C, H, W] in [0, 1] → images of the same shape.
    /// Tensors it returns are owned by the caller's dispose scope.</param>
    /// <param name="model">Differentiable classifier: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eotSamples">Number R of purifications whose loss gradients attacks average (default 1).</param>
    /// <exception cref="ArgumentNullException">A delegate or module is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eotSamples"/> &lt; 1.</exception>
    public Bpda(Func<Tensor, Tensor> purifier, nn.Module<Tensor, Tensor> model, int eotSamples = 1) : base("Bpda")
    {
        this.purifier = AttackGuard.NotNull(purifier, nameof(purifier));
        this.model = AttackGuard.NotNull(model, nameof(model));
        EotSamples = AttackGuard.AtLeast(eotSamples, 1, nameof(eotSamples));
        RegisterComponents();
    }

    /// <summary>Number R of purifications whose loss gradients attacks average (EOT).</summary>
    public int EotSamples { get; }

    /// <summary>Logits of one purification of <paramref name="input"/>, with the identity as the purifier's backward pass.</summary>
    /// <param name="input">float32 [N, C, H, W] in [0, 1].</param>
    /// <returns>Logits [N, K].</returns>
    /// <exception cref="InvalidOperationException">The purifier changed the shape.</exception>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor residual;
        using (no_grad())
        {
            var detached = input.detach();
            var purified = purifier(detached);
            if (!purified.shape.SequenceEqual(input.shape))
                throw new InvalidOperationException(
                    $"The purifier must keep the shape [{string.Join(", ", input.shape)}]; it returned [{string.Join(", ", purified.shape)}].");
            residual = (purified.to_type(input.dtype).to(input.device) - detached).detach();
        }
        return model.call(input + residual).MoveToOuterDisposeScope();
    }
}
