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

    /// <summary>Rethrows the workers' first real failure, if any: a worker cancelled because another failed only reports <see cref="OperationCanceledException"/>.</summary>
    public static void ThrowFirstFailure(IReadOnlyList<Exception?> errors)
    {
        var error = errors.FirstOrDefault(e => e is not null and not OperationCanceledException) ?? errors.FirstOrDefault(e => e is not null);
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }
}
