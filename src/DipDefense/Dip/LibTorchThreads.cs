using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// The DIP workers' libtorch threading (docs/performance.md). Each worker is a thread of its own that computes on one
/// libtorch (OpenMP) thread: the traces are parallelised over images instead, which is faster for the small DIP
/// operations and gives every trace the same arithmetic whatever the machine's thread count.
/// </summary>
/// <remarks>
/// libtorch keeps the intra-op thread count per thread (OpenMP's nthreads ICV), initialised lazily from a process-wide
/// default at a thread's first parallel operation; <c>set_num_threads</c> sets both the calling thread's count and that
/// default. A worker therefore first lets the lazy initialisation happen, then pins itself to one thread; the caller
/// puts the default back afterwards (<see cref="KeepDefault"/>), so threads that are already running, the caller's
/// included, never see a change.
/// </remarks>
internal static class LibTorchThreads
{
    /// <summary>Pins the calling (worker) thread to one libtorch thread.</summary>
    public static void PinCurrentThreadToOne()
    {
        LibTorchProcess.Prepare();
        using (no_grad())
        using (var warm = ones(1 << 20))
        using (warm.sum()) { } // a parallel operation: runs the thread's lazy initialisation first
        set_num_threads(1);
    }

    /// <summary>
    /// One libtorch thread on the calling thread (on the CPU; other devices are left alone) until disposed, when the
    /// calling thread's count and the process-wide default are put back.
    /// </summary>
    public static IDisposable OneOnThisThread(Device device)
    {
        if (device.type != DeviceType.CPU)
            return new Restore(null);
        LibTorchProcess.Prepare();
        var restore = new Restore(get_num_threads());
        set_num_threads(1);
        return restore;
    }

    /// <summary>Restores the process-wide default that the workers' pinning changed, when disposed.</summary>
    public static IDisposable KeepDefault() => new Restore(get_num_threads());

    private sealed class Restore(int? threads) : IDisposable
    {
        public void Dispose()
        {
            if (threads is { } count)
                set_num_threads(count);
        }
    }
}
