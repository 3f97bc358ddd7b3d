using DipDefense.Defense;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// A deterministic defense that maps every batch of images by a fixed transform: the frame shared by the simple
/// baselines (identity, bit depth, median, JPEG). It validates the images, checks the cancellation token and runs the
/// transform without gradients in a dispose scope; the result carries no diagnostics.
/// </summary>
public abstract class ImageTransformPurifier : IPurifier
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>False: the transform draws no random numbers.</summary>
    public bool IsRandomized => false;

    /// <summary>Returns this purifier (there is nothing random to reseed).</summary>
    public IPurifier WithSeed(long seed) => this;

    /// <summary>Applies the transform to every image.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], any size, any device.</param>
    /// <param name="progress">Not used: the transform finishes at once.</param>
    /// <param name="cancellationToken">Checked before the transform (and by a transform that works image by image).</param>
    /// <returns>The transformed images on the input's device, without diagnostics; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank or range, or is empty.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.CheckImages(images, nameof(images));
        cancellationToken.ThrowIfCancellationRequested();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return new PurifierResult(Transform(images.detach(), cancellationToken).MoveToOuterDisposeScope());
    }

    /// <summary>The BPDA substitute g (see <see cref="IPurifier.EstimateForward"/>): the identity unless overridden.</summary>
    public virtual Tensor EstimateForward(Tensor images) => images;

    /// <summary>The transform, on validated images, inside the caller's no-grad dispose scope; returns a new tensor on the images' device.</summary>
    protected abstract Tensor Transform(Tensor images, CancellationToken cancellationToken);
}
