namespace DipDefense.Defense;

/// <summary>The figures of one setting of a <see cref="PurifierSweep"/> over every image added so far.</summary>
public sealed record SweepResult
{
    /// <summary>The setting (its τ, w, N, η and G are what was swept).</summary>
    public required PurifierOptions Options { get; init; }

    /// <summary>Images evaluated.</summary>
    public required int Count { get; init; }

    /// <summary>
    /// The victim's label of each reconstruction after 8-bit quantisation (<see cref="Data.EightBitQuantization.Quantize"/>,
    /// what a saved purified image holds), in the order the images were added.
    /// </summary>
    public required long[] Labels { get; init; }

    /// <summary>Reconstructions whose quantised image the victim labels with the true label.</summary>
    public required int Correct { get; init; }

    /// <summary><see cref="Correct"/> / <see cref="Count"/>: the accuracy on the quantised reconstructions; NaN when empty.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    /// <summary>The accuracy on the unquantised reconstructions (<see cref="PurificationDiagnostics.FinalLabel"/>); NaN when empty.</summary>
    public required double UnroundedAccuracy { get; init; }

    /// <summary>Mean SSIM of the quantised reconstructions against the clean images; null when no clean images were given.</summary>
    public required double? MeanSsim { get; init; }

    /// <summary>Share of traces with at least one cross-boundary pair (no fallback); NaN when empty.</summary>
    public required double CrossingShare { get; init; }

    /// <summary>
    /// The ceiling: share of traces that show the true label at some snapshot index ≥ w
    /// (<see cref="PurificationDiagnostics.TraceShowsLabel"/> with this setting's <see cref="PurifierOptions.WarmUp"/>); NaN when empty.
    /// </summary>
    public required double Ceiling { get; init; }

    /// <summary>
    /// The mean share of the DIP fit the images' traces needed (<see cref="PurificationDiagnostics.TraceShare"/>): 1 for
    /// full traces, less under a horizon or the settled-fit stop, which a purification with this setting saves; NaN when empty.
    /// </summary>
    public required double TraceShare { get; init; }
}
