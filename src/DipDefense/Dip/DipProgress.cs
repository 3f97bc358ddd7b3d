namespace DipDefense.Dip;

/// <summary>Progress of a DIP trace, reported once per snapshot.</summary>
/// <param name="Iteration">Iterations done so far (1-based index of the iteration that took the snapshot).</param>
/// <param name="Iterations">Total iterations T.</param>
/// <param name="Snapshot">Snapshots taken so far (1..M).</param>
/// <param name="Snapshots">Total snapshots M.</param>
/// <param name="MeanLoss">The snapshot's MSE against its target, averaged over the B images.</param>
/// <param name="Elapsed">Time since the optimisation loop started.</param>
public sealed record DipProgress(int Iteration, int Iterations, int Snapshot, int Snapshots, double MeanLoss, TimeSpan Elapsed);
