namespace DipDefense.Tests.Defense;

/// <summary>
/// Test classes that compare DIP fits byte for byte. They run alone, after the parallel collections: libtorch's intra-op
/// thread count is per thread (set_num_threads on one thread leaves threads that have already run libtorch as they
/// were), so a fit that overlaps another one on a second thread may run with more than one libtorch thread, and the
/// fit's float32 arithmetic then depends on the thread count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DipFitsCollection
{
    public const string Name = "DIP fits";
}
