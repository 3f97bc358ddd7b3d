namespace DipDefense.Training;

/// <summary>
/// Progress of <see cref="VictimTrainer.Train"/>, reported after every Adam step. The last report of an epoch
/// comes after the epoch's validation and carries <see cref="ValidationAccuracy"/> when a validation set was given.
/// </summary>
/// <param name="Epoch">The epoch running (1-based).</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">Batches done in this epoch (1-based).</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="MeanLoss">The mean cross-entropy of this epoch's batches so far (weighted by batch size).</param>
/// <param name="ValidationAccuracy">The validation accuracy after the epoch, in the epoch's last report; else null.</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double MeanLoss, double? ValidationAccuracy, TimeSpan Elapsed);
