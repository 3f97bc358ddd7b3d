namespace DipDefense.Baselines;

/// <summary>Settings of <see cref="JpegCompression"/>.</summary>
public sealed record JpegCompressionOptions
{
    /// <summary>
    /// JPEG quality, 1 (worst) to 100 (best), the scale of libjpeg and PIL. Default 75, the setting of Guo et al.,
    /// "Countering Adversarial Images using Input Transformations" (ICLR 2018); IBM ART's <c>JpegCompression</c> defaults
    /// to 50 and advises against values above 95. In [1, 100].
    /// </summary>
    public int Quality { get; init; } = 75;

    /// <summary>Checks every setting.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, its range and its value.</exception>
    public void Validate(string? paramName = null)
    {
        if (Quality < 1 || Quality > 100)
            throw new ArgumentException($"Invalid JpegCompressionOptions: {nameof(Quality)} must lie in [1, 100]; got {Quality}.", paramName ?? "options");
    }
}
