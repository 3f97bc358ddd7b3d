namespace DipDefense.Tests.Attacks;

/// <summary>
/// Runs the calling thread's libtorch work on one intra-op thread until disposed. For tests that compare gradients bit
/// for bit: on the 2-core project machine libtorch 2.10's CPU conv2d input gradient differs between repeated identical
/// backward passes with two intra-op threads (measured on the fixture's model, up to 2e-4 on gradients of 1e-3), and
/// is reproducible with one.
/// </summary>
internal sealed class SingleLibTorchThread : IDisposable
{
    private readonly int saved = get_num_threads();

    public SingleLibTorchThread() => set_num_threads(1);

    public void Dispose() => set_num_threads(saved);
}
