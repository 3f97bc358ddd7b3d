using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DipDefense.Defense;

namespace DipDefense.Tests.Platform;

/// <summary>
/// Loading the library asks libtorch's MKL for run-to-run reproducible results (MKL_CBWR=AUTO in the C library's
/// environment, which MKL reads), unless the user chose a mode (docs/platform.md, "Determinism").
/// </summary>
public sealed class MklReproducibilityTests
{
    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    [Fact]
    public void LoadingTheLibrarySetsMklsReproducibleModeInTheNativeEnvironment()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test reads the native environment of Linux (the platform CI runs on)");
        RuntimeHelpers.RunModuleConstructor(typeof(PurifierOptions).Module.ModuleHandle);

        // .NET's copy of the environment is the one the process started with: the user's choice, if any, stays.
        string expected = Environment.GetEnvironmentVariable(MklReproducibility.Variable) ?? MklReproducibility.Value;
        Assert.Equal(expected, Marshal.PtrToStringAnsi(GetEnv(MklReproducibility.Variable)));
    }
}
