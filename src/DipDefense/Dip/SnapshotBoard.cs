namespace DipDefense.Dip;

/// <summary>
/// Where the workers of one <see cref="DipTraceRunner.Run"/> are: the snapshots each has taken, and for each snapshot
/// the time at which the last worker took it. Workers tell it; the calling thread waits on it to report progress.
/// </summary>
internal sealed class SnapshotBoard(int workers, int snapshots)
{
    private readonly object gate = new();
    private readonly int[] taken = new int[workers];
    private int finished;

    /// <summary>Per snapshot, the time since the start at which every worker had taken it.</summary>
    public TimeSpan[] Times { get; } = new TimeSpan[snapshots];

    /// <summary>
    /// Worker <paramref name="worker"/> has taken every snapshot up to <paramref name="snapshot"/> at <paramref name="elapsed"/>
    /// (more than one at a time when its traces stopped early and their later snapshots were filled in).
    /// </summary>
    public void Taken(int worker, int snapshot, TimeSpan elapsed)
    {
        lock (gate)
        {
            for (int m = taken[worker]; m <= snapshot; m++)
                if (elapsed > Times[m])
                    Times[m] = elapsed;
            taken[worker] = snapshot + 1;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Worker <paramref name="worker"/> has stopped (done, failed or cancelled).</summary>
    public void Finish(int worker)
    {
        lock (gate)
        {
            finished++;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>
    /// Waits until every worker has taken more than <paramref name="reported"/> snapshots (true, with their number in
    /// <paramref name="done"/>) or every worker has stopped without that (false).
    /// </summary>
    public bool WaitForMore(int reported, out int done)
    {
        lock (gate)
        {
            while (true)
            {
                done = taken.Min();
                if (done > reported)
                    return true;
                if (finished == taken.Length)
                    return false;
                Monitor.Wait(gate);
            }
        }
    }
}
