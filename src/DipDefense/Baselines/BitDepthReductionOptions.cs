namespace DipDefense.Baselines;

/// <summary>Settings of <see cref="BitDepthReduction"/> (feature squeezing by colour-depth reduction, Xu et al. NDSS 2018).</summary>
public sealed record BitDepthReductionOptions
{
    /// <summary>The largest accepted <see cref="Bits"/>: a float32 significand's 24 bits, so x·(2^bits − 1) stays exact in float64.</summary>
    public const int MaxBits = 24;

    /// <summary>
    /// Bits per channel kept: every value becomes round(x·(2^bits − 1)) / (2^bits − 1). Default 4 (16 levels). IBM ART's
    /// <c>FeatureSqueezing</c> defaults to 8 bits, which leaves 8-bit images unchanged; 4 bits squeezes them.
    /// In [1, <see cref="MaxBits"/>].
    /// </summary>
    public int Bits { get; init; } = 4;

    /// <summary>Checks every setting.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, its range and its value.</exception>
    public void Validate(string? paramName = null)
    {
        if (Bits < 1 || Bits > MaxBits)
            throw new ArgumentException($"Invalid BitDepthReductionOptions: {nameof(Bits)} must lie in [1, {MaxBits}]; got {Bits}.", paramName ?? "options");
    }
}
