using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Switches two of libtorch's CPU convolution backends off, once per process, before the library computes: NNPACK
/// (docs/platform.md#nnpack) and oneDNN (docs/platform.md#onednn). Convolutions then run on libtorch's own kernels
/// (im2col and MKL's matrix products).
/// </summary>
/// <remarks>
/// <para>
/// NNPACK: on one thread libtorch considers it for small convolutions, and on CPUs that it does not support (the
/// project's AMD EPYC machines) it tries to initialise NNPACK again at every such call and logs "Could not initialize
/// NNPACK! Reason: Unsupported hardware" each time: thousands of stderr lines per image.
/// </para>
/// <para>
/// oneDNN: on the project's AVX-512 machines its float32 convolutions return NaN now and then for the same finite
/// inputs (a forward pass repeated 200 times on one thread: NaN in 1–3 of them, for a 20-channel input; wrong input
/// gradients for other channel counts), which ended DIP traces in NaN. Without it every repetition is finite and equal.
/// </para>
/// <para>
/// TorchSharp 0.107 binds neither <c>torch.backends.nnpack.set_flags</c> nor <c>torch.backends.mkldnn.enabled</c>, so this
/// calls libtorch's <c>at::Context::setUserEnabledNNPACK(false)</c> and <c>setUserEnabledMkldnn(false)</c> by their
/// Itanium-mangled names (Linux and macOS). Where a symbol is not found (Windows, another libtorch) nothing changes.
/// </para>
/// </remarks>
internal static class ConvolutionBackends
{
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";

    /// <summary>The switched-off backends: each one's setter and getter on <c>at::Context</c>.</summary>
    internal static readonly (string Name, string Setter, string Getter)[] Backends =
    [
        ("NNPACK", "_ZN2at7Context20setUserEnabledNNPACKEb", "_ZNK2at7Context17userEnabledNNPACKEv"),
        ("oneDNN", "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZNK2at7Context17userEnabledMkldnnEv"),
    ];

    private static readonly Lazy<bool> SwitchedOff = new(SwitchOff);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUserEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>Switches the backends off if that has not been done yet; returns whether they are off by this switch.</summary>
    public static bool EnsureOff() => SwitchedOff.Value;

    private static bool SwitchOff()
    {
        string? library = OperatingSystem.IsLinux() ? "libtorch_cpu.so" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : null;
        if (library is null)
            return false;
        using (zeros(1)) { } // TorchSharp loads libtorch on its first tensor; the load below then finds it by name
        if (!NativeLibrary.TryLoad(library, out IntPtr handle) || !NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out IntPtr globalContext))
            return false;
        IntPtr context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        bool all = true;
        foreach (var backend in Backends)
        {
            if (NativeLibrary.TryGetExport(handle, backend.Setter, out IntPtr setEnabled))
                Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setEnabled)(context, false);
            else
                all = false;
        }
        return all;
    }
}
