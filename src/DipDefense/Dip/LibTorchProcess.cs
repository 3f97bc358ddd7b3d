namespace DipDefense.Dip;

/// <summary>
/// The process-wide settings the DIP fit needs before it computes, applied once: libtorch's NNPACK and oneDNN
/// convolution backends off (<see cref="ConvolutionBackends"/>, docs/platform.md#onednn) and glibc keeping freed memory
/// (<see cref="GlibcAllocator"/>, docs/performance.md#memory).
/// </summary>
internal static class LibTorchProcess
{
    /// <summary>Applies both settings if that has not been done yet (cheap after the first call).</summary>
    public static void Prepare()
    {
        ConvolutionBackends.EnsureOff();
        GlibcAllocator.EnsureConfigured();
    }
}
