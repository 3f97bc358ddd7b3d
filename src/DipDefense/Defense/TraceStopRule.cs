namespace DipDefense.Defense;

/// <summary>How a trace ended: run to its end (or the horizon), or stopped early by one of the two stops per trace.</summary>
internal enum TraceEnd
{
    /// <summary>Not stopped early.</summary>
    Full,

    /// <summary>The settled-fit stop (<see cref="PurifierOptions.SettledFit"/>): it carried y′ from w on and fitted the input.</summary>
    Settled,

    /// <summary>The marked stop (<see cref="PurifierOptions.MarkedHorizon"/>): it had marked its input by the marked horizon.</summary>
    Marked,
}

/// <summary>
/// The early stops of one trace (docs/method.md, "Early stop"), fed its snapshots in order: the settled-fit stop
/// (<see cref="PurifierOptions.SettledFit"/>) and the marked stop (<see cref="PurifierOptions.MarkedHorizon"/>). One mechanism
/// for both places it runs: during the fit (<see cref="EarlyTraceStop"/>, which asks the victim only for the snapshots
/// <see cref="Watching"/> names and computes a fit only where <see cref="TakeLabel"/> asks for it) and on a full trace's
/// mapping (<see cref="Stop"/>).
/// </summary>
internal sealed class TraceStopRule
{
    private readonly long inputLabel;
    private readonly int warmUp, first, gateStart, gateEnd, markedCut;
    private readonly double settledFit, threshold;
    private readonly bool gated;
    private bool carried = true, changed;
    private double supportSum;

    /// <summary>The rule for a trace of <paramref name="recorded"/> snapshots fitted to an input the victim labels
    /// <paramref name="inputLabel"/> with the logit margin <paramref name="inputMargin"/>.</summary>
    public TraceStopRule(long inputLabel, double inputMargin, PurifierOptions options, int recorded)
    {
        this.inputLabel = inputLabel;
        warmUp = options.WarmUp;
        first = options.FirstSettledSnapshot(recorded);
        settledFit = options.SettledStopOn ? options.SettledFit : PurifierOptions.SettledFitOff;
        (gateStart, gateEnd) = options.GateWindow(recorded);
        gated = options.Selection != PurifierSelection.Paper;
        threshold = options.GateThreshold;
        // An input below the ambiguous margin may vote with its own label, which asks for the final fit: its traces run on.
        markedCut = inputMargin >= options.AmbiguousMargin ? options.MarkedCut(recorded) : -1;
    }

    private bool SettledOn => settledFit != PurifierOptions.SettledFitOff;

    private bool MarkedOn => markedCut >= 0;

    /// <summary>Whether snapshot <paramref name="m"/>'s label and probability of y′ are needed.</summary>
    public bool Watching(int m) =>
        (SettledOn && carried && m >= warmUp)
        || (MarkedOn && m <= markedCut && ((gated && m >= gateStart && m < gateEnd) || (!changed && m >= warmUp)));

    /// <summary>Takes snapshot m's label and the victim's probability of y′ there (when <see cref="Watching"/>); returns whether its fit is needed by <see cref="End"/>.</summary>
    public bool TakeLabel(int m, long label, double inputProbability)
    {
        if (gated && m >= gateStart && m < gateEnd)
            supportSum += inputProbability;
        if (m >= warmUp && label != inputLabel)
            (carried, changed) = (false, true);
        return SettledOn && carried && m >= first;
    }

    /// <summary>Whether the trace ends after snapshot <paramref name="m"/>; <paramref name="fit"/> is its SSIM to the input when <see cref="TakeLabel"/> asked for it (else unused).</summary>
    public TraceEnd End(int m, double fit)
    {
        if (SettledOn && carried && m >= first && fit >= settledFit)
            return TraceEnd.Settled;
        // Marked for good: a label change after w with the gate's support below θ marks whatever comes later (φ_l = 1).
        if (m == markedCut && changed && (!gated || supportSum / (gateEnd - gateStart) < threshold))
            return TraceEnd.Marked;
        return TraceEnd.Full;
    }

    /// <summary>
    /// Where and how the stops end a trace of the first <paramref name="read"/> snapshots of a mapping: the snapshot after which it
    /// stops (read − 1 when it runs to the end) and how.
    /// </summary>
    public static (int Snapshot, TraceEnd End) Stop(IReadOnlyList<long> labels, IReadOnlyList<double> ssim, IReadOnlyList<double> inputProbability,
        long inputLabel, double inputMargin, PurifierOptions options, int recorded, int read)
    {
        var rule = new TraceStopRule(inputLabel, inputMargin, options, recorded);
        for (int m = 0; m < read - 1; m++)
        {
            bool needsFit = rule.Watching(m) && rule.TakeLabel(m, labels[m], inputProbability[m]);
            var end = rule.End(m, needsFit ? ssim[m] : double.NaN);
            if (end != TraceEnd.Full)
                return (m, end);
        }
        return (read - 1, TraceEnd.Full);
    }
}
