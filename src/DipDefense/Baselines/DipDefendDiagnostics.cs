namespace DipDefense.Baselines;

/// <summary>What DIPDefend saw and chose for one image.</summary>
public sealed record DipDefendDiagnostics
{
    /// <summary>p_t: the PSNR (dB, data range 1; the minimum over patches on large images) between the output of iteration t and the input, T values.</summary>
    public required double[] Psnr { get; init; }

    /// <summary>The 0-based iteration t whose output was returned: <see cref="HoltSmoothing.PeakIndex"/> of <see cref="Psnr"/>.</summary>
    public required int SelectedIteration { get; init; }
}
