using DipDefense.Defense;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// Bit-depth reduction, the colour-depth feature squeezer of Xu, Evans and Qi, "Feature Squeezing: Detecting
/// Adversarial Examples in Deep Neural Networks" (NDSS 2018, https://arxiv.org/abs/1704.01155), as IBM ART's
/// <c>FeatureSqueezing</c> preprocessor computes it: x ↦ rint(x·L) / L with L = 2^bits − 1, rounding half to even.
/// </summary>
/// <remarks>
/// The product x·L is computed in float64, where it is exact (ART computes in float64 too with NumPy ≥ 2), and the
/// result is returned as float32. Deterministic. Its BPDA substitute is the identity: rounding has a zero gradient
/// almost everywhere, and no smooth substitute is more natural than the straight-through estimator.
/// </remarks>
public sealed class BitDepthReduction : IPurifier
{
    /// <summary>Creates the squeezer.</summary>
    /// <param name="options">Settings; null: the defaults (4 bits).</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public BitDepthReduction(BitDepthReductionOptions? options = null)
    {
        options ??= new BitDepthReductionOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public BitDepthReductionOptions Options { get; }

    /// <summary><c>bit-depth</c>.</summary>
    public string Name => "bit-depth";

    /// <summary>False.</summary>
    public bool IsRandomized => false;

    /// <summary>Returns this purifier (there is nothing random to reseed).</summary>
    public IPurifier WithSeed(long seed) => this;

    /// <summary>Rounds every value to the nearest of the 2^bits levels k / (2^bits − 1).</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], any size, any device.</param>
    /// <param name="progress">Not used: the squeeze finishes at once.</param>
    /// <param name="cancellationToken">Checked once.</param>
    /// <returns>The squeezed images on the input's device, without diagnostics; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank or range, or is empty.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.CheckImages(images, nameof(images));
        cancellationToken.ThrowIfCancellationRequested();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var levels = ((double)((1L << Options.Bits) - 1)).ToScalar();
        var squeezed = images.detach().to(ScalarType.Float64).mul(levels).round_().div_(levels).to(ScalarType.Float32);
        return new PurifierResult(squeezed.MoveToOuterDisposeScope());
    }
}
