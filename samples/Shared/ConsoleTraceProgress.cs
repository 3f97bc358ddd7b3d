using DipDefense.Defense;
using DipDefense.Dip;

/// <summary>
/// Prints a DIP trace's progress every tenth of the iterations, from the purifier (<see cref="PurificationProgress"/>)
/// or from a trace runner (<see cref="DipProgress"/>); both report synchronously.
/// </summary>
sealed class ConsoleTraceProgress : IProgress<PurificationProgress>, IProgress<DipProgress>
{
    int lastTenth = -1;

    public void Report(PurificationProgress p)
    {
        if (p.Stage == PurificationStage.Trace)
            Print($"images {p.ChunkStart + 1}-{p.ChunkStart + p.ChunkCount} of {p.Images}: ", p.Iteration, p.Iterations, p.Elapsed);
    }

    public void Report(DipProgress p) => Print("", p.Iteration, p.Iterations, p.Elapsed);

    void Print(string what, int iteration, int iterations, TimeSpan elapsed)
    {
        int tenth = iteration * 10 / iterations;
        if (tenth == lastTenth)
            return;
        lastTenth = tenth;
        Console.WriteLine($"  {what}DIP iteration {iteration,4}/{iterations}  ({elapsed.TotalSeconds:0.0} s)");
    }
}
