using DipDefense.Defense;

/// <summary>Prints the DIP trace's progress every tenth of the iterations (the purifier reports synchronously).</summary>
sealed class ConsoleTraceProgress : IProgress<PurificationProgress>
{
    int lastTenth = -1;

    public void Report(PurificationProgress p)
    {
        if (p.Stage != PurificationStage.Trace)
            return;
        int tenth = p.Iteration * 10 / p.Iterations;
        if (tenth == lastTenth)
            return;
        lastTenth = tenth;
        Console.WriteLine($"  images {p.ChunkStart + 1}-{p.ChunkStart + p.ChunkCount} of {p.Images}: DIP iteration {p.Iteration,4}/{p.Iterations}  ({p.Elapsed.TotalSeconds:0.0} s)");
    }
}
