using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Switches libtorch's NNPACK convolution backend off, once per process, before the library computes on one libtorch
/// thread (docs/platform.md#nnpack).
/// </summary>
/// <remarks>
/// On one thread libtorch considers NNPACK for small convolutions, and on CPUs that NNPACK does not support (the
/// project's AMD EPYC machines) it tries to initialise NNPACK again at every such call and logs
/// "Could not initialize NNPACK! Reason: Unsupported hardware" each time: thousands of stderr lines per image.
/// TorchSharp 0.107 has no binding for <c>torch.backends.nnpack.set_flags</c>, so this calls libtorch's
/// <c>at::Context::setUserEnabledNNPACK(false)</c> by its Itanium-mangled name (Linux and macOS). Where the symbol is
/// not found (Windows, another libtorch) nothing changes: the only effect of NNPACK there is its speed or its log lines.
/// </remarks>
internal static class NnpackSwitch
{
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetEnabledSymbol = "_ZN2at7Context20setUserEnabledNNPACKEb";

    private static readonly Lazy<bool> SwitchedOff = new(SwitchOff);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUserEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>Switches NNPACK off if that has not been done yet; returns whether it is off by this switch.</summary>
    public static bool EnsureOff() => SwitchedOff.Value;

    private static bool SwitchOff()
    {
        string? library = OperatingSystem.IsLinux() ? "libtorch_cpu.so" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : null;
        if (library is null)
            return false;
        using (zeros(1)) { } // TorchSharp loads libtorch on its first tensor; the load below then finds it by name
        if (!NativeLibrary.TryLoad(library, out IntPtr handle)
            || !NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out IntPtr globalContext)
            || !NativeLibrary.TryGetExport(handle, SetEnabledSymbol, out IntPtr setEnabled))
            return false;
        IntPtr context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setEnabled)(context, false);
        return true;
    }
}
