using System.Diagnostics;
using DipDefense.Dip;

namespace DipDefense.Defense;

/// <summary>Turns the DIP runner's per-snapshot reports into <see cref="PurificationProgress"/> reports, synchronously.</summary>
/// <remarks>With several traces per chunk, trace k reports iterations <paramref name="iterationsBefore"/> + its own, out of <paramref name="allIterations"/>.</remarks>
internal sealed class TraceProgressForwarder(IProgress<PurificationProgress> target, Stopwatch clock, int chunkStart, int chunkCount, int images,
    int iterationsBefore, int allIterations)
    : IProgress<DipProgress>
{
    public void Report(DipProgress value) =>
        target.Report(new PurificationProgress(PurificationStage.Trace, chunkStart, chunkCount, chunkStart, images, iterationsBefore + value.Iteration, allIterations, clock.Elapsed));
}
