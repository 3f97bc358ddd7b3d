using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>A <see cref="PurifierResult"/> whose per-image diagnostics have the purifier's own record type.</summary>
/// <typeparam name="TDiagnostics">The purifier's diagnostics record.</typeparam>
public class PurifierResult<TDiagnostics> : PurifierResult where TDiagnostics : class
{
    /// <summary>Wraps <paramref name="purified"/>, which the result then owns, with one diagnostics entry per image.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The diagnostics do not hold one entry per image.</exception>
    public PurifierResult(Tensor purified, IReadOnlyList<TDiagnostics> diagnostics)
        : base(purified, diagnostics ?? throw new ArgumentNullException(nameof(diagnostics)))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>One entry per image, in input order.</summary>
    public IReadOnlyList<TDiagnostics> Diagnostics { get; }
}
