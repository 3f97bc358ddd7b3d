using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// A defense that purifies images before a classifier sees them, in the shape of IBM ART's <c>Preprocessor</c>: the
/// purification itself (<see cref="Purify"/>) plus an explicit estimate of its gradient for defense-aware attacks
/// (<see cref="EstimateForward"/>, BPDA) and a declaration of its randomness (<see cref="IsRandomized"/>,
/// <see cref="WithSeed"/>, for EOT).
/// </summary>
/// <remarks>
/// Images are float32 <c>[N, C, H, W]</c> in [0, 1] on any device; purified images have the same shape, dtype and
/// device, with values in [0, 1]. docs/defenses.md lists the implementations, their defaults and references.
/// </remarks>
public interface IPurifier
{
    /// <summary>A short stable identifier for tables and command lines, e.g. <c>jpeg</c> or <c>dipdefend</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Whether the purification draws random numbers (e.g. a DIP network's initialisation). Every random choice is
    /// seeded, so one instance is deterministic; a randomized purifier is a family of deterministic ones indexed by
    /// the seed, and <see cref="WithSeed"/> gives another member, which is how EOT resamples it.
    /// </summary>
    bool IsRandomized { get; }

    /// <summary>The same defense drawing its random numbers from <paramref name="seed"/>; a purifier that is not randomized returns itself.</summary>
    IPurifier WithSeed(long seed);

    /// <summary>Purifies a batch of images.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], N ≥ 1, on any device; implementations may require a minimum size.</param>
    /// <param name="progress">Told about long-running stages (synchronously, from this thread); purifiers that finish at once report nothing. Optional.</param>
    /// <param name="cancellationToken">Checked between units of work (iterations, images).</param>
    /// <returns>The purified images on the input's device and, when the purifier keeps them, per-image diagnostics; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank, size or range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The BPDA substitute g (Athalye et al. 2018): a differentiable function of <paramref name="images"/> whose gradient
    /// stands in for the purifier's in the backward pass, while the forward pass keeps the purified images
    /// (<c>Bpda</c> computes <c>g(x) + (purify(x) − g(x)).detach()</c>). The default is the identity (the straight-through
    /// estimator, ART's default); a purifier overrides it where a natural differentiable substitute exists.
    /// </summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], possibly requiring gradients.</param>
    /// <returns>A tensor of the same shape that autograd can differentiate with respect to <paramref name="images"/>.</returns>
    Tensor EstimateForward(Tensor images) => images;
}
