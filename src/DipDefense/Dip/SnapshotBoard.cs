namespace DipDefense.Dip;

/// <summary>
/// How far the workers of one <see cref="DipTraceRunner.Run"/> are: the snapshots taken by all images together (a trace that
/// ended early counts its filled-in snapshots too). The call has reached snapshot m once B·(m + 1) are taken, which is
/// every image's snapshot m when all B images run at once, and the average progress when the batch is refilled.
/// Workers tell it; the calling thread waits on it to report progress.
/// </summary>
internal sealed class SnapshotBoard(int images, int snapshots, int workers)
{
    private readonly object gate = new();
    private long taken;
    private int workersRunning = workers;

    /// <summary>Per snapshot, the time since the start at which the call reached it.</summary>
    public TimeSpan[] Times { get; } = new TimeSpan[snapshots];

    /// <summary>The workers have taken <paramref name="count"/> more snapshots in all, at <paramref name="elapsed"/>.</summary>
    public void Taken(int count, TimeSpan elapsed)
    {
        lock (gate)
        {
            int before = Reached(taken);
            taken += count;
            for (int m = before; m < Reached(taken); m++)
                Times[m] = elapsed;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>A worker has stopped (done, failed or cancelled).</summary>
    public void Finish()
    {
        lock (gate)
        {
            workersRunning--;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>
    /// Waits until the call has reached more than <paramref name="reported"/> snapshots (true, with their number in
    /// <paramref name="done"/>) or every worker has stopped without that (false).
    /// </summary>
    public bool WaitForMore(int reported, out int done)
    {
        lock (gate)
        {
            while (true)
            {
                done = Reached(taken);
                if (done > reported)
                    return true;
                if (workersRunning == 0)
                    return false;
                Monitor.Wait(gate);
            }
        }
    }

    private int Reached(long count) => (int)Math.Min(count / images, snapshots);
}
