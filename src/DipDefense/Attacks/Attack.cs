using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// An untargeted evasion attack: one small class per attack, hyper-parameters in the constructor
/// (defaults from the reference implementations), one call shape <see cref="Run"/>.
/// </summary>
/// <remarks>
/// <para>
/// The base class validates the inputs, moves them to the device the attack works on
/// (<see cref="WorkingDevice"/>), calls <see cref="Perform"/>, and returns a fresh tensor on the input's device,
/// clamped to [0, 1]. Everything the attack allocates lives in a dispose scope that ends with the call.
/// </para>
/// <para>Shapes: images float32 <c>[N, C, H, W]</c> with values in [0, 1]; labels int64 <c>[N]</c> with values in
/// [0, K); output float32 <c>[N, C, H, W]</c> in [0, 1] on the images' device.</para>
/// </remarks>
public abstract class Attack
{
    /// <summary>Creates an attack with a display name.</summary>
    /// <param name="name">Short name used in reports (e.g. "PGD").</param>
    protected Attack(string name)
    {
        Name = string.IsNullOrWhiteSpace(name) ? GetType().Name : name;
    }

    /// <summary>Short display name of the attack (e.g. "PGD").</summary>
    public string Name { get; }

    /// <summary>
    /// Crafts adversarial examples for <paramref name="images"/> whose true classes are <paramref name="labels"/>.
    /// </summary>
    /// <param name="images">float32 [N, C, H, W] with values in [0, 1]; not modified.</param>
    /// <param name="labels">int64 [N], the true classes.</param>
    /// <returns>A new float32 [N, C, H, W] tensor in [0, 1] on the device of <paramref name="images"/>;
    /// the caller owns it.</returns>
    /// <exception cref="ArgumentException">The images are not float32 rank 4 in [0, 1], or the labels are not int64 [N].</exception>
    public Tensor Run(Tensor images, Tensor labels)
    {
        AttackGuard.Images(images, nameof(images));
        AttackGuard.Labels(labels, images.shape[0], NumClasses, nameof(labels));

        using var scope = NewDisposeScope();
        Tensor result;
        if (images.shape[0] == 0)
        {
            result = images.detach().clone();
        }
        else
        {
            var device = WorkingDevice(images);
            // detach() gives a new handle on the same storage, so nothing here can dispose the caller's tensors.
            var x = images.detach().to(device);
            var y = labels.detach().to(device);
            Tensor adversarial;
            // One libtorch thread: with more, libtorch 2.10's CPU convolution input gradient of a batch is corrupted
            // (wrong values, sometimes NaN) on the project's machines (docs/platform.md).
            using (DipDefense.Dip.LibTorchThreads.OneOnThisThread(device))
            using (no_grad())
                adversarial = Perform(x, y);
            result = adversarial.detach().to(images.device).clamp(0.0, 1.0);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attack proper. Called with validated inputs already on <see cref="WorkingDevice"/>, inside a dispose
    /// scope and under <c>torch.no_grad()</c> (use <c>torch.enable_grad()</c> where gradients are needed,
    /// as <see cref="GradientAttack.InputGradient(Tensor, Tensor)"/> does).
    /// </summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], N ≥ 1; must not be modified in place.</param>
    /// <param name="labels">int64 [N].</param>
    /// <returns>Adversarial images [N, C, H, W] in [0, 1].</returns>
    protected abstract Tensor Perform(Tensor images, Tensor labels);

    /// <summary>The device the attack computes on; by default the images' device.</summary>
    /// <param name="images">The validated input images.</param>
    protected virtual Device WorkingDevice(Tensor images) => images.device;

    /// <summary>Number of classes when the attack knows it (labels are then checked against it), else null.</summary>
    protected virtual int? NumClasses => null;

    /// <summary>A CPU generator seeded with <paramref name="seed"/> (random draws happen on the CPU and are then
    /// moved, so results do not depend on the device or on the global RNG state).</summary>
    /// <param name="seed">The seed.</param>
    protected static Generator CreateGenerator(long seed) => new Generator(unchecked((ulong)seed), CPU);
}
