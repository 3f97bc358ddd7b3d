using DipDefense.Defense;
using DipDefense.MLNet;

/// <summary>The DipPurify settings of the samples' pipelines (compiled into the samples that use DipDefense.MLNet).</summary>
static class PurifyStage
{
    /// <summary>
    /// DipPurify options that purify row r exactly as the core <see cref="DecisionSpacePurifier"/> with
    /// <paramref name="settings"/> purifies image r: the same trace, τ, w, N, η, G and batch size.
    /// </summary>
    public static DipPurifyOptions From(PurifierOptions settings, string modelPath, string outputColumnName, string inputColumnName) => new()
    {
        OutputColumnName = outputColumnName,
        InputColumnName = inputColumnName,
        ModelPath = modelPath,
        Preset = PaperSettings.PresetName(settings.Trace.Network),
        Iterations = settings.Trace.Iterations,
        Snapshots = settings.Trace.Snapshots,
        Seed = settings.Trace.Seed,
        SsimThreshold = settings.SsimThreshold,
        WarmUp = settings.WarmUp,
        StableRun = settings.StableRun,
        Pairs = settings.Pairs,
        Eta = settings.Eta,
        GridSections = settings.GridSections,
        BatchSize = settings.BatchSize,
    };
}
