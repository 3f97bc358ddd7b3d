using System.Diagnostics;
using DipDefense.Dip;

namespace DipDefense.Defense;

/// <summary>Turns the DIP runner's per-snapshot reports into <see cref="PurificationProgress"/> reports, synchronously.</summary>
internal sealed class TraceProgressForwarder(IProgress<PurificationProgress> target, Stopwatch clock, int chunkStart, int chunkCount, int images)
    : IProgress<DipProgress>
{
    public void Report(DipProgress value) =>
        target.Report(new PurificationProgress(PurificationStage.Trace, chunkStart, chunkCount, chunkStart, images, value.Iteration, value.Iterations, clock.Elapsed));
}
