using System.Runtime.CompilerServices;

namespace DipDefense.Tests.Infrastructure;

/// <summary>
/// The test host computes on one libtorch thread: with more, libtorch 2.10's CPU convolution input gradient of a batch
/// is corrupted (wrong values, sometimes NaN) on the project's machines (docs/platform.md), and tests that
/// differentiate a model themselves would fail at random. The library's own gradient code pins its threads itself.
/// </summary>
internal static class OneLibTorchThread
{
    [ModuleInitializer]
    internal static void Pin() => TorchSharp.torch.set_num_threads(1);
}
