namespace DipDefense.Defense;

/// <summary>
/// Progress of an <see cref="IPurifier"/>. <see cref="DecisionSpacePurifier.Purify"/> reports after every DIP snapshot
/// during the <see cref="PurificationStage.Trace"/> stage and at the start of every later stage of each chunk; the
/// DIPDefend baseline reports its <see cref="PurificationStage.Trace"/> stage only.
/// </summary>
/// <param name="Stage">The stage running.</param>
/// <param name="ChunkStart">Index of the first image of the chunk being purified.</param>
/// <param name="ChunkCount">Images in that chunk.</param>
/// <param name="ImagesDone">Images completely purified so far (all earlier chunks).</param>
/// <param name="Images">Images in the call.</param>
/// <param name="Iteration">DIP iterations done for this chunk (<paramref name="Iterations"/> once its traces are complete).</param>
/// <param name="Iterations">DIP iterations per chunk: T (the K traces per image of the vote, <see cref="PurifierOptions.TracesPerImage"/>, run together).</param>
/// <param name="Elapsed">Time since the call started.</param>
public sealed record PurificationProgress(
    PurificationStage Stage, int ChunkStart, int ChunkCount, int ImagesDone, int Images, int Iteration, int Iterations, TimeSpan Elapsed);
