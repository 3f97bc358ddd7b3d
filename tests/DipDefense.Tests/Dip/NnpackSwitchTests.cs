using System.Runtime.InteropServices;
using DipDefense.Dip;

namespace DipDefense.Tests.Dip;

/// <summary>libtorch's NNPACK backend is switched off before the library computes on one thread (docs/platform.md#nnpack).</summary>
public class NnpackSwitchTests
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool UserEnabled(IntPtr context);

    [Fact]
    public void ADipTraceLeavesNnpackSwitchedOff()
    {
        if (!OperatingSystem.IsLinux())
            return; // the switch and this check use libtorch_cpu.so's exports
        using var targets = SyntheticImages.GradientWithSquare(1, 3, 16, 16);
        using var result = new DipTraceRunner(new DipTraceOptions { Iterations = 2, Snapshots = 1 }).Run(targets);

        Assert.True(NativeLibrary.TryLoad("libtorch_cpu.so", out IntPtr handle));
        Assert.True(NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out IntPtr globalContext));
        Assert.True(NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledNNPACKEv", out IntPtr userEnabled));
        IntPtr context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        Assert.False(Marshal.GetDelegateForFunctionPointer<UserEnabled>(userEnabled)(context));
    }
}
