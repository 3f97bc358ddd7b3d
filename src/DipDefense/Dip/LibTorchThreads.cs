using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Sets libtorch's intra-op thread count to one while DIP traces run (see docs/performance.md): the traces are
/// parallelised over images by <see cref="DipTraceRunner"/>'s own workers instead, which is faster for the small
/// DIP operations and makes each trace's arithmetic independent of the machine's thread count. Overlapping
/// users share one setting; the last to leave restores the count that was there before the first.
/// </summary>
internal static class LibTorchThreads
{
    private static readonly Lock Gate = new();
    private static int users;
    private static int saved;

    /// <summary>One intra-op thread until the returned object is disposed (on the CPU; other devices are left alone).</summary>
    public static IDisposable Single(Device device)
    {
        if (device.type != DeviceType.CPU)
            return new Release(false);
        lock (Gate)
        {
            if (users++ == 0)
            {
                saved = get_num_threads();
                set_num_threads(1);
            }
        }
        return new Release(true);
    }

    private sealed class Release(bool held) : IDisposable
    {
        private bool held = held;

        public void Dispose()
        {
            if (!held)
                return;
            held = false;
            lock (Gate)
            {
                if (--users == 0)
                    set_num_threads(saved);
            }
        }
    }
}
