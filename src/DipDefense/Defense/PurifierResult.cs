using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>The output of <see cref="IPurifier.Purify"/>: the purified images, which it owns, and optional per-image diagnostics.</summary>
public class PurifierResult : IDisposable
{
    /// <summary>Wraps <paramref name="purified"/>, which the result then owns.</summary>
    /// <param name="purified">The purified images, float32 [N, C, H, W] in [0, 1].</param>
    /// <param name="imageDiagnostics">One entry per image in input order, or null when the purifier keeps none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="purified"/> is null.</exception>
    /// <exception cref="ArgumentException">The diagnostics do not hold one entry per image.</exception>
    public PurifierResult(Tensor purified, IReadOnlyList<object>? imageDiagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(purified);
        if (imageDiagnostics is not null && imageDiagnostics.Count != purified.shape[0])
            throw new ArgumentException(
                $"imageDiagnostics must hold one entry per image ({purified.shape[0]}); got {imageDiagnostics.Count}.", nameof(imageDiagnostics));
        Purified = purified;
        ImageDiagnostics = imageDiagnostics;
    }

    /// <summary>x̂: the purified images, float32 [N, C, H, W] in [0, 1] on the input's device.</summary>
    public Tensor Purified { get; }

    /// <summary>
    /// What the purifier recorded for each image, in input order (its own record type, e.g.
    /// <see cref="PurificationDiagnostics"/>), or null when it keeps none. <see cref="PurifierResult{TDiagnostics}.Diagnostics"/>
    /// has the same entries typed.
    /// </summary>
    public IReadOnlyList<object>? ImageDiagnostics { get; }

    /// <inheritdoc />
    public void Dispose() => Purified.Dispose();
}
