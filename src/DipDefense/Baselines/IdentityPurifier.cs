using DipDefense.Defense;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// No defense: the "purified" images are a copy of the input. It puts the undefended reference row of every
/// table through the same <see cref="IPurifier"/> code path as the defenses.
/// </summary>
/// <remarks>Deterministic; its BPDA substitute is the identity, so <c>Bpda</c> around it is exactly the plain model.</remarks>
public sealed class IdentityPurifier : IPurifier
{
    /// <summary><c>identity</c>.</summary>
    public string Name => "identity";

    /// <summary>False.</summary>
    public bool IsRandomized => false;

    /// <summary>Returns this purifier (there is nothing random to reseed).</summary>
    public IPurifier WithSeed(long seed) => this;

    /// <summary>Copies <paramref name="images"/>.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], any size, any device.</param>
    /// <param name="progress">Not used: the copy finishes at once.</param>
    /// <param name="cancellationToken">Checked once.</param>
    /// <returns>A copy of the images (bit for bit), without diagnostics; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank or range, or is empty.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.CheckImages(images, nameof(images));
        cancellationToken.ThrowIfCancellationRequested();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return new PurifierResult(images.detach().clone().MoveToOuterDisposeScope());
    }
}
