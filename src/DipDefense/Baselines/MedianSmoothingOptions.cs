namespace DipDefense.Baselines;

/// <summary>Settings of <see cref="MedianSmoothing"/> (IBM ART's <c>SpatialSmoothing</c>).</summary>
public sealed record MedianSmoothingOptions
{
    /// <summary>
    /// Side k of the square k×k window. Default 3, ART's <c>SpatialSmoothing</c> default. An even k follows ART/SciPy's convention: the window is off-centre towards the top left (it covers
    /// offsets −k/2 … k/2 − 1) and the median of its k² values is the upper one. At least 1 (1 leaves the images unchanged).
    /// </summary>
    public int WindowSize { get; init; } = 3;

    /// <summary>Checks every setting.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, its range and its value.</exception>
    public void Validate(string? paramName = null)
    {
        if (WindowSize < 1)
            throw new ArgumentException($"Invalid MedianSmoothingOptions: {nameof(WindowSize)} must be at least 1; got {WindowSize}.", paramName ?? "options");
    }
}
