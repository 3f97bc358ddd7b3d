namespace DipDefense.Cli;

/// <summary>
/// The DIP iteration counts T that <c>dipdefense calibrate --iterations</c> evaluates. The traces run the largest T once,
/// with M snapshots; a smaller T reads their first T / (T_max / M) snapshots, which are the snapshots a trace of that T
/// records at the same interval (nothing in the fit depends on T; docs/cli.md, "calibrate").
/// </summary>
/// <param name="Iterations">The largest T: the traces' length.</param>
/// <param name="Snapshots">M: the snapshots of a trace of the largest T.</param>
/// <param name="Prefixes">Each T of the list, smallest first, with its snapshot count.</param>
internal sealed record TraceLengths(int Iterations, int Snapshots, IReadOnlyList<(int Iterations, int Snapshots)> Prefixes)
{
    /// <summary>Checks the list against M and gives each T its snapshots.</summary>
    /// <exception cref="ArgumentException">A T is not positive, M does not divide the largest T, or a T is not a multiple of the snapshot interval.</exception>
    public static TraceLengths Parse(IReadOnlyList<int> iterations, int snapshots)
    {
        if (iterations.FirstOrDefault(t => t <= 0, 1) is var bad and <= 0)
            throw new ArgumentException($"--iterations must be positive; got {bad}.");
        int longest = iterations.Max();
        if (snapshots <= 0 || snapshots > longest || longest % snapshots != 0)
            throw new ArgumentException($"--snapshots {snapshots} must divide the largest --iterations {longest}, so that the snapshots are equally spaced.");
        int interval = longest / snapshots;
        if (iterations.FirstOrDefault(t => t % interval != 0) is var uneven and > 0)
            throw new ArgumentException($"--iterations {uneven} is not a multiple of the snapshot interval {interval} (= {longest} / --snapshots {snapshots}): a smaller T reads the first snapshots of the longest trace.");
        return new TraceLengths(longest, snapshots, [.. iterations.Order().Select(t => (t, t / interval))]);
    }
}
