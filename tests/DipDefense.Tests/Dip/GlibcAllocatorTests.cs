using DipDefense.Dip;

namespace DipDefense.Tests.Dip;

/// <summary>glibc is told to keep freed memory before a trace runs, unless the user opted out (docs/performance.md#memory).</summary>
public class GlibcAllocatorTests
{
    [Fact]
    public void ATraceAppliesTheSettingsOnLinuxUnlessTheUserHasHisOwn()
    {
        if (!OperatingSystem.IsLinux() || GlibcAllocator.LeftToUser(Environment.GetEnvironmentVariable))
            return; // nothing to apply: another OS, or the environment leaves the allocator to the user
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var result = new DipTraceRunner(new DipTraceOptions { Iterations = 2, Snapshots = 1 }).Run(targets);
        Assert.True(GlibcAllocator.Tried);              // the trace tried them (this test does not call EnsureConfigured first)
        Assert.True(GlibcAllocator.EnsureConfigured()); // and mallopt accepted both settings (the test hosts run on glibc)
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("DIPDEFENSE_KEEP_FREED_MEMORY", "0", true)]
    [InlineData("DIPDEFENSE_KEEP_FREED_MEMORY", "1", false)]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "131072", true)]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "131072", true)]
    [InlineData("MALLOC_TOP_PAD_", "0", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0", true)]
    public void TheUsersOwnSettingsOrTheOptOutLeaveTheAllocatorAlone(string? variable, string? value, bool leftToUser)
    {
        string? Environment(string name) => name == variable ? value : null;
        Assert.Equal(leftToUser, GlibcAllocator.LeftToUser(Environment));
    }
}
