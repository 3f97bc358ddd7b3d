using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// How the DIP fits of a batch are split over worker threads (docs/performance.md): each worker fits a contiguous share
/// of the images on one libtorch thread (<see cref="LibTorchThreads"/>). Used by the DIP trace and by DIPDefend.
/// </summary>
internal static class WorkerShares
{
    /// <summary>The workers for <paramref name="images"/> images: <paramref name="option"/> when positive, else min(processors, images) on the CPU and 1 elsewhere; never more than the images.</summary>
    public static int Count(int option, int images, Device device)
    {
        int workers = option > 0 ? option
            : device.type == DeviceType.CPU ? Math.Min(Environment.ProcessorCount, images) : 1;
        return Math.Clamp(workers, 1, images);
    }

    /// <summary>Splits <paramref name="images"/> images into <paramref name="workers"/> contiguous shares (start, count), sizes differing by at most one.</summary>
    public static (int Start, int Count)[] Split(int images, int workers) =>
        [.. Enumerable.Range(0, workers).Select(w => (Start: images * w / workers, Count: images * (w + 1) / workers - images * w / workers))];

    /// <summary>
    /// Runs <paramref name="work"/> for each worker on a thread of its own (pinned to one libtorch thread on the CPU) while
    /// the calling thread runs <paramref name="report"/>, and joins them. A failing worker cancels the others' token; a
    /// failing <paramref name="report"/> (a progress handler that throws) cancels and joins the workers before its exception
    /// goes on; otherwise the caller's cancellation, then the first worker failure, is rethrown.
    /// </summary>
    /// <param name="workers">The number of worker threads.</param>
    /// <param name="onCpu">Whether the work runs on the CPU (then each worker keeps to one libtorch thread).</param>
    /// <param name="name">The threads' name, followed by the worker's index.</param>
    /// <param name="work">The work of worker w, given a token cancelled when the caller cancels or another worker fails.</param>
    /// <param name="finished">Told, on the worker's thread, that worker w has ended (normally or not).</param>
    /// <param name="report">The calling thread's part: report progress until every worker has finished.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public static void Run(int workers, bool onCpu, string name, Action<int, CancellationToken> work, Action<int> finished, Action report,
        CancellationToken cancellationToken)
    {
        using var cancelAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var errors = new Exception?[workers];
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                if (onCpu)
                    LibTorchThreads.PinCurrentThreadToOne();
                work(w, cancelAll.Token);
            }
            catch (Exception e)
            {
                errors[w] = e;
                cancelAll.Cancel();
            }
            finally
            {
                finished(w);
            }
        }) { IsBackground = true, Name = $"{name} {w}" }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        try
        {
            report();
        }
        catch
        {
            cancelAll.Cancel();
            throw;
        }
        finally
        {
            foreach (var thread in threads)
                thread.Join();
        }
        cancellationToken.ThrowIfCancellationRequested();
        ThrowFirstFailure(errors);
    }

    /// <summary>Rethrows the workers' first real failure, if any: a worker cancelled because another failed only reports <see cref="OperationCanceledException"/>.</summary>
    static void ThrowFirstFailure(IReadOnlyList<Exception?> errors)
    {
        var error = errors.FirstOrDefault(e => e is not null and not OperationCanceledException) ?? errors.FirstOrDefault(e => e is not null);
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }
}
