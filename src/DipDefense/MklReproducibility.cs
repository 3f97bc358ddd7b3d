using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DipDefense;

/// <summary>
/// Makes libtorch's MKL give the same bits from run to run (docs/platform.md, "Determinism"). Without it, MKL picks a
/// kernel path by the memory alignment of its buffers, which changes from process to process: measured on the
/// project's machine, DDN (100 steps) on three images gave two different results over six runs of one command, and
/// one result over nine runs with it. MKL reads <c>MKL_CBWR</c> from the process environment at its first call; this
/// sets it to <c>AUTO</c> (the fastest path of the processor, chosen the same way every run) when this assembly
/// loads, unless the user has set it.
/// </summary>
internal static class MklReproducibility
{
    /// <summary>The environment variable MKL reads, and the value set.</summary>
    internal const string Variable = "MKL_CBWR", Value = "AUTO";

#pragma warning disable CA2255   // a library's module initializer: the variable must be set before MKL's first call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        // .NET keeps its own copy of the environment on Unix; MKL reads the C library's, so it is set there.
        if (OperatingSystem.IsLinux())
            _ = LinuxSetEnv(Variable, Value, overwrite: 0);
        else if (OperatingSystem.IsMacOS())
            _ = MacSetEnv(Variable, Value, overwrite: 0);
        else if (Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, Value);
    }

    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int LinuxSetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int MacSetEnv(string name, string value, int overwrite);
}
