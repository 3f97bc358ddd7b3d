using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// Base of the white-box attacks: holds the differentiable victim and does the gradient plumbing once.
/// </summary>
/// <remarks>
/// <para>
/// The victim is an <c>nn.Module&lt;Tensor, Tensor&gt;</c> mapping float32 images <c>[N, C, H, W]</c> in [0, 1] to
/// logits <c>[N, K]</c>. During <see cref="Attack.Run"/> the victim is put in eval mode and every module's
/// training flag is restored afterwards; inputs are moved to the device of the victim's first parameter.
/// </para>
/// <para>
/// Gradients are taken with <c>torch.autograd.grad</c> with respect to the input only, so the victim's
/// parameters never accumulate <c>.grad</c> and their <c>requires_grad</c> flags are left as they were.
/// </para>
/// <para>
/// Expectation over Transformation (EOT): with <see cref="EotSamples"/> = R &gt; 1, <see cref="InputGradient(Tensor, Tensor)"/>
/// averages the gradient of the loss over R forward passes (for a stochastic victim such as <see cref="Bpda"/>
/// this is R independent purifications) and returns the mean logits of those passes.
/// </para>
/// </remarks>
public abstract class GradientAttack : Attack
{
    private readonly int eotSamples;

    /// <summary>Creates a white-box attack on <paramref name="model"/>.</summary>
    /// <param name="name">Display name.</param>
    /// <param name="model">Differentiable victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    protected GradientAttack(string name, nn.Module<Tensor, Tensor> model) : base(name)
    {
        Model = AttackGuard.NotNull(model, nameof(model));
        eotSamples = model is Bpda bpda ? bpda.EotSamples : 1;
    }

    /// <summary>The differentiable victim.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>
    /// Number R of forward/backward passes whose loss gradients are averaged per gradient evaluation (EOT).
    /// Defaults to <see cref="Bpda.EotSamples"/> when the victim is a <see cref="Bpda"/> wrapper, else 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value &lt; 1.</exception>
    public int EotSamples
    {
        get => eotSamples;
        init => eotSamples = AttackGuard.AtLeast(value, 1, nameof(EotSamples));
    }

    /// <inheritdoc/>
    protected override Device WorkingDevice(Tensor images)
        => Model.parameters().FirstOrDefault()?.device ?? images.device;

    /// <inheritdoc/>
    protected sealed override Tensor Perform(Tensor images, Tensor labels)
    {
        // Remember every module's training flag (pre-order, so restoring a parent before its children is right).
        var modules = new List<nn.Module> { Model };
        modules.AddRange(Model.modules());
        var flags = modules.Select(m => m.training).ToArray();
        Model.eval();
        try
        {
            return Craft(images, labels);
        }
        finally
        {
            for (int i = 0; i < modules.Count; i++)
                if (modules[i].training != flags[i])
                    modules[i].train(flags[i]);
        }
    }

    /// <summary>
    /// The attack proper, with the victim in eval mode; called like <see cref="Attack.Perform"/>.
    /// </summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1] on the victim's device; must not be modified in place.</param>
    /// <param name="labels">int64 [N].</param>
    /// <returns>Adversarial images [N, C, H, W] in [0, 1].</returns>
    protected abstract Tensor Craft(Tensor images, Tensor labels);

    /// <summary>
    /// Gradient of the mean cross-entropy loss of the victim with respect to <paramref name="images"/>
    /// (EOT-averaged when <see cref="EotSamples"/> &gt; 1).
    /// </summary>
    /// <param name="images">float32 [N, C, H, W]; not modified.</param>
    /// <param name="labels">int64 [N].</param>
    /// <returns>A detached tensor shaped like <paramref name="images"/>.</returns>
    protected Tensor InputGradient(Tensor images, Tensor labels)
    {
        var gradient = InputGradient(images, (_, logits) => nn.functional.cross_entropy(logits, labels), out var logits);
        logits.Dispose();
        return gradient;
    }

    /// <summary>
    /// Gradient of a scalar loss with respect to <paramref name="input"/>, where the loss is
    /// <c>loss(images, Model(images))</c> with <c>images = toImages(input)</c> (identity when null).
    /// Averaged over <see cref="EotSamples"/> passes.
    /// </summary>
    /// <param name="input">The variable to differentiate with respect to (the images, or e.g. the tanh-space
    /// variable of Carlini–Wagner); not modified.</param>
    /// <param name="loss">Maps (images, logits) to a scalar loss tensor.</param>
    /// <param name="logits">The victim's logits [N, K] at the point (mean over the EOT passes), detached.</param>
    /// <param name="toImages">Differentiable map from <paramref name="input"/> to images, or null for identity.</param>
    /// <returns>A detached tensor shaped like <paramref name="input"/>.</returns>
    /// <exception cref="InvalidOperationException">The loss is not a scalar.</exception>
    protected Tensor InputGradient(Tensor input, Func<Tensor, Tensor, Tensor> loss, out Tensor logits, Func<Tensor, Tensor>? toImages = null)
    {
        using var scope = NewDisposeScope();
        using var gradEnabled = enable_grad();
        Tensor? gradientSum = null, logitSum = null;
        for (int r = 0; r < eotSamples; r++)
        {
            using var pass = NewDisposeScope();
            var leaf = input.detach().requires_grad_(true);
            var images = toImages is null ? leaf : toImages(leaf);
            var passLogits = Model.call(images);
            var value = loss(images, passLogits);
            if (value.numel() != 1)
                throw new InvalidOperationException($"The loss must be a scalar; got shape [{string.Join(", ", value.shape)}].");
            var gradient = autograd.grad(new[] { value }, new[] { leaf })[0].detach();
            var detachedLogits = passLogits.detach();
            if (gradientSum is null)
            {
                gradientSum = gradient.MoveToOuterDisposeScope();
                logitSum = detachedLogits.MoveToOuterDisposeScope();
            }
            else
            {
                gradientSum.add_(gradient);
                logitSum!.add_(detachedLogits);
            }
        }
        if (eotSamples > 1)
        {
            gradientSum!.div_(eotSamples);
            logitSum!.div_(eotSamples);
        }
        logits = logitSum!.MoveToOuterDisposeScope();
        return gradientSum!.MoveToOuterDisposeScope();
    }
}
