using System.Runtime.InteropServices;

namespace DipDefense.Dip;

/// <summary>
/// Tells glibc's allocator, once per process, to keep the memory that libtorch frees instead of returning it to the
/// system, so that the DIP fit's per-iteration buffers are reused rather than mapped and page-faulted anew at every
/// iteration (docs/performance.md#memory).
/// </summary>
/// <remarks>
/// <para>
/// Each of the ~80 operations of a fit step allocates its result; at B = 16 many are 0.1–4 MB. By default glibc maps
/// such blocks afresh (above its mmap threshold) and hands freed memory at the top of a heap back to the kernel (above
/// its trim threshold), so the next iteration touches new pages: on the project's 2-core VM about a million minor page
/// faults per 200 iterations at B = 16 and half of the fit's time (docs/results/bench.md). With the mmap threshold at
/// its largest (32 MB) and the trim threshold at 2 GB the faults fell six- to fortyfold there and B = 16 ran about twice as fast.
/// The cost: the process keeps its peak heap until it exits (a B = 16 bench: 392 MB resident at its peak, 338 MB without).
/// </para>
/// <para>
/// Only on Linux with glibc, and only when the process has no allocator settings of its own (<c>MALLOC_TRIM_THRESHOLD_</c>,
/// <c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TOP_PAD_</c> or <c>GLIBC_TUNABLES</c> in the environment). The environment
/// variable <see cref="OptOutVariable"/> = 0 leaves glibc as it is. It changes where buffers live, not what is computed:
/// traces are the same bytes either way.
/// </para>
/// </remarks>
internal static class GlibcAllocator
{
    /// <summary>The environment variable that, set to 0, leaves glibc's allocator settings alone.</summary>
    public const string OptOutVariable = "DIPDEFENSE_KEEP_FREED_MEMORY";

    // mallopt's parameters (malloc.h).
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    /// <summary>The mmap threshold set: glibc's largest on 64-bit systems (half its 64 MB heap size).</summary>
    private const int MmapThresholdBytes = 32 << 20;

    /// <summary>The trim threshold set: freed memory at the top of a heap is kept up to this size.</summary>
    private const int TrimThresholdBytes = int.MaxValue;

    private static readonly Lazy<bool> Configured = new(Configure);

    /// <summary>Applies the settings if that has not been tried yet; returns whether they are in force by this call.</summary>
    public static bool EnsureConfigured() => Configured.Value;

    /// <summary>Whether the settings were tried already (by a trace, a generator or <see cref="EnsureConfigured"/>), without trying them.</summary>
    internal static bool Tried => Configured.IsValueCreated;

    /// <summary>Whether the environment leaves the allocator to the user: an opt-out or settings of the user's own.</summary>
    internal static bool LeftToUser(Func<string, string?> environment) =>
        environment(OptOutVariable) == "0"
        || new[] { "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" }.Any(v => environment(v) is not null);

    private static bool Configure()
    {
        if (!OperatingSystem.IsLinux() || LeftToUser(Environment.GetEnvironmentVariable))
            return false;
        try
        {
            // mallopt returns 1 on success; musl's stub returns 0 and changes nothing.
            return Mallopt(MmapThreshold, MmapThresholdBytes) == 1 & Mallopt(TrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
