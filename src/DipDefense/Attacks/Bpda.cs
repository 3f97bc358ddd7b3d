using DipDefense.Defense;
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
/// Forward: <c>model(g(x) + (purify(x) − g(x)).detach())</c>, i.e. the logits of the purified image, where g is the
/// purifier's BPDA substitute (<see cref="IPurifier.EstimateForward"/>). Backward: the gradient of <c>model ∘ g</c>
/// evaluated at the purified image x̂; with the default substitute, the identity (straight-through estimator),
/// <c>∇ₓ = ∇_{x̂} model</c>. The purifier is called under <c>torch.no_grad()</c> on a detached copy of the images;
/// it must keep their shape. With a purifier that returns its input unchanged (<c>IdentityPurifier</c>) the forward
/// pass is bit-for-bit <c>model(x)</c>, so attacks through BPDA reproduce the plain attacks exactly.
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
/// <para>
/// Resampling: a randomized purifier (<see cref="IPurifier.IsRandomized"/>) is deterministic for one seed. With R = 1
/// every forward call uses the purifier as given (the deployed seed); with R &gt; 1 forward call number c (0, 1, …)
/// uses <c>purifier.WithSeed(seed + c)</c>, so the R passes of a gradient evaluation are independent draws and the
/// whole attack stays reproducible. R &gt; 1 with a purifier that is not randomized is rejected (every pass would be
/// the same).
/// </para>
/// <para>The wrapped model is registered as a sub-module named "model", so <c>eval()</c>, <c>to()</c> and
/// <c>parameters()</c> reach it.</para>
/// </remarks>
public sealed class Bpda : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IPurifier purifier;
    private readonly long seed;
    private long calls;

    /// <summary>Wraps <paramref name="model"/> ∘ <paramref name="purifier"/> for gradient attacks.</summary>
    /// <param name="purifier">The defense: images [N, C, H, W] in [0, 1] → images of the same shape.</param>
    /// <param name="model">Differentiable classifier: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="eotSamples">Number R of purifications whose loss gradients attacks average (default 1); above 1 only for a randomized purifier.</param>
    /// <param name="seed">First seed of the EOT draws (used when <paramref name="eotSamples"/> &gt; 1). Default 0.</param>
    /// <exception cref="ArgumentNullException">The purifier or the module is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eotSamples"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="eotSamples"/> &gt; 1 for a purifier that is not randomized.</exception>
    public Bpda(IPurifier purifier, nn.Module<Tensor, Tensor> model, int eotSamples = 1, long seed = 0) : base("Bpda")
    {
        this.purifier = AttackGuard.NotNull(purifier, nameof(purifier));
        this.model = AttackGuard.NotNull(model, nameof(model));
        EotSamples = AttackGuard.AtLeast(eotSamples, 1, nameof(eotSamples));
        if (eotSamples > 1 && !purifier.IsRandomized)
            throw new ArgumentException(
                $"eotSamples must be 1 for the purifier '{purifier.Name}', which is not randomized (every purification is the same); got {eotSamples}.",
                nameof(eotSamples));
        this.seed = seed;
        RegisterComponents();
    }

    /// <summary>Number R of purifications whose loss gradients attacks average (EOT).</summary>
    public int EotSamples { get; }

    /// <summary>The defense.</summary>
    public IPurifier Purifier => purifier;

    /// <summary>Logits of one purification of <paramref name="input"/>, with the purifier's BPDA substitute in the backward pass.</summary>
    /// <param name="input">float32 [N, C, H, W] in [0, 1].</param>
    /// <returns>Logits [N, K].</returns>
    /// <exception cref="InvalidOperationException">The purifier changed the shape.</exception>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var draw = EotSamples > 1 ? purifier.WithSeed(unchecked(seed + calls++)) : purifier;
        var substitute = draw.EstimateForward(input);
        Tensor residual;
        using (no_grad())
        {
            using var purified = draw.Purify(input.detach());
            if (!purified.Purified.shape.SequenceEqual(input.shape))
                throw new InvalidOperationException(
                    $"The purifier '{draw.Name}' must keep the shape [{string.Join(", ", input.shape)}]; it returned [{string.Join(", ", purified.Purified.shape)}].");
            residual = purified.Purified.to_type(input.dtype).sub(substitute.detach()).detach();
        }
        return model.call(substitute + residual).MoveToOuterDisposeScope();
    }
}
