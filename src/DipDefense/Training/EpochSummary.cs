namespace DipDefense.Training;

/// <summary>The outcome of one training epoch.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="MeanLoss">The mean cross-entropy over the epoch's batches, weighted by batch size (measured during the updates).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the epoch; null when none was given.</param>
/// <param name="Elapsed">Time since training started, at the end of the epoch (validation included).</param>
public sealed record EpochSummary(int Epoch, double MeanLoss, double? ValidationAccuracy, TimeSpan Elapsed);
