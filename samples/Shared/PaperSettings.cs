using DipDefense.Defense;
using DipDefense.Dip;

/// <summary>The purifier settings of the samples: the paper's, with a shorter DIP trace when asked for one.</summary>
static class PaperSettings
{
    /// <summary>
    /// The paper's trace is T = 1000 Adam iterations with a snapshot every 5 (M = 200) and a warm-up of 20 snapshots.
    /// A shorter trace keeps the snapshot interval and the warm-up's share of the trace.
    /// </summary>
    public static PurifierOptions WithIterations(int iterations, int batchSize)
    {
        var paper = new PurifierOptions();
        int interval = paper.Trace.SnapshotInterval;
        int snapshots = Math.Max(2, iterations / interval);
        return paper with
        {
            Trace = paper.Trace with { Iterations = snapshots * interval, Snapshots = snapshots },
            WarmUp = paper.WarmUp * snapshots / paper.Trace.Snapshots,
            Pairs = Math.Min(paper.Pairs, snapshots),
            BatchSize = batchSize,
        };
    }

    /// <summary>One line naming the settings, for the notebook's output.</summary>
    public static string Describe(PurifierOptions options) =>
        $"DIP: {PresetName(options.Trace.Network)} network, T = {options.Trace.Iterations} iterations, M = {options.Trace.Snapshots} snapshots, " +
        $"warm-up {options.WarmUp}, N = {options.Pairs}, selection {options.Selection}" +
        (options.Selection == PurifierSelection.Vote ? $" (θ {options.GateThreshold}, K = {options.TracesPerImage} traces per image)" : "") +
        $", batch {options.BatchSize}";

    /// <summary>The preset name of <paramref name="network"/> ("medium" for the paper's CIFAR-10 network), or "custom".</summary>
    public static string PresetName(DipNetworkConfig network) => DipNetworkConfig.PresetNameOf(network) ?? "custom";
}
