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
public sealed class BitDepthReduction : ImageTransformPurifier
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
    public override string Name => "bit-depth";

    /// <summary>Rounds every value to the nearest of the 2^bits levels k / (2^bits − 1).</summary>
    protected override Tensor Transform(Tensor images, CancellationToken cancellationToken)
    {
        using var levels = ((double)((1L << Options.Bits) - 1)).ToScalar();
        return images.to(ScalarType.Float64).mul(levels).round_().div_(levels).to(ScalarType.Float32);
    }
}
