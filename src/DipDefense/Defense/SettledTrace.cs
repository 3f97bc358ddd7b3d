namespace DipDefense.Defense;

/// <summary>
/// The settled-fit early stop of one trace (<see cref="PurifierOptions.SettledFit"/>; docs/method.md, "Early stop"), fed
/// its snapshots in order: the trace stops after snapshot s ≥ <see cref="PurifierOptions.FirstSettledSnapshot"/> when every
/// snapshot from w to s carries the input's label y′ and s fits the input with SSIM ≥ φ_s. One mechanism for both places it
/// runs: during the fit (<see cref="SettledTraceStop"/>, which asks the victim only for what <see cref="Watching"/> and
/// <see cref="TakeLabel"/> ask for) and on a full trace's mapping (<see cref="StopSnapshot"/>).
/// </summary>
internal sealed class SettledTrace(long inputLabel, int warmUp, int first, double settledFit)
{
    private bool carried = true;

    /// <summary>Whether snapshot <paramref name="m"/>'s label is needed: the trace can still stop and m ≥ w.</summary>
    public bool Watching(int m) => carried && m >= warmUp;

    /// <summary>Takes the label of snapshot <paramref name="m"/> (when <see cref="Watching"/>); returns whether its fit decides a stop.</summary>
    public bool TakeLabel(int m, long label)
    {
        carried = label == inputLabel;
        return carried && m >= first;
    }

    /// <summary>Whether snapshot m's fit (its SSIM to the input), asked for by <see cref="TakeLabel"/>, stops the trace after it.</summary>
    public bool Settles(double fit) => fit >= settledFit;

    /// <summary>
    /// The snapshot after which the settled-fit stop ends a trace of the first <paramref name="read"/> snapshots of
    /// <paramref name="labels"/> and <paramref name="ssim"/>, or read − 1 when it runs to the end.
    /// </summary>
    public static int StopSnapshot(IReadOnlyList<long> labels, IReadOnlyList<double> ssim, long inputLabel, PurifierOptions options, int recorded, int read)
    {
        var trace = new SettledTrace(inputLabel, options.WarmUp, options.FirstSettledSnapshot(recorded), options.SettledFit);
        for (int m = 0; m < read - 1; m++)
            if (trace.Watching(m) && trace.TakeLabel(m, labels[m]) && trace.Settles(ssim[m]))
                return m;
        return read - 1;
    }
}
