using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Platform;

/// <summary>
/// Runs the real build step (target DipDefenseFixLibTorchSharpInOutput of src/DipDefense/buildTransitive/DipDefense.targets)
/// through <c>dotnet msbuild</c> on a temporary output folder holding a copy of TorchSharp's libLibTorchSharp.so.
/// </summary>
public sealed class LibTorchSharpFixTargetTests : IDisposable
{
    readonly TempDir _temp = new();

    string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MarksTheVersionWeakOnceAndNeverWritesThroughToTheCache()
    {
        if (!OperatingSystem.IsLinux()) return; // the step is Linux-only by design
        var (cache, output) = StageLibrary(hardLink: true);
        byte[] original = File.ReadAllBytes(cache);
        var stamp = File.GetLastWriteTimeUtc(cache);

        string log = RunTarget(FakeLibStdCxx(hasVersion: false));

        Assert.Contains("marked GLIBCXX_3.4.32 weak", log);
        byte[] patched = File.ReadAllBytes(output);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Single(changed); // one flags byte of one Vernaux entry
        Assert.Equal(original[changed[0]] | 0x2, patched[changed[0]]);
        Assert.Equal(SHA256.HashData(original), SHA256.HashData(File.ReadAllBytes(cache))); // the "NuGet cache" copy is intact
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(output)); // incremental copies see an unchanged file
        if (ReadElfVersions(output) is { } versions)
            Assert.Matches(@"Name: GLIBCXX_3\.4\.32\s+Flags: WEAK", versions);

        string again = RunTarget(FakeLibStdCxx(hasVersion: false));

        Assert.DoesNotContain("marked", again);
        Assert.Equal(patched, File.ReadAllBytes(output));
    }

    [Fact]
    public void LeavesTheLibraryAloneWhenTheHostHasTheVersion()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (cache, output) = StageLibrary(hardLink: false);

        string log = RunTarget(FakeLibStdCxx(hasVersion: true));

        Assert.DoesNotContain("marked", log);
        Assert.Equal(File.ReadAllBytes(cache), File.ReadAllBytes(output));
    }

    /// <summary>A "cache" copy of the package's library and an output copy under runtimes/linux-x64/native.</summary>
    (string Cache, string Output) StageLibrary(bool hardLink)
    {
        string source = PackageLibrary();
        string cache = Path.Combine(_dir, "cache", "libLibTorchSharp.so");
        string output = Path.Combine(_dir, "out", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.Copy(source, cache);
        if (hardLink)
            Assert.Equal(0, link(cache, output));
        else
            File.Copy(cache, output);
        return (cache, output);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int link(string oldpath, string newpath);

    string FakeLibStdCxx(bool hasVersion)
    {
        string path = Path.Combine(_dir, hasVersion ? "libstdc++-new.so.6" : "libstdc++-old.so.6");
        File.WriteAllText(path, hasVersion ? "GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0" : "GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0");
        return path;
    }

    string RunTarget(string hostLibStdCxx)
    {
        string project = Path.Combine(_dir, "fix.proj");
        string targets = Path.Combine(SharedData.RepositoryRoot, "src", "DipDefense", "buildTransitive", "DipDefense.targets");
        File.WriteAllText(project, $"<Project><Import Project=\"{targets}\" /></Project>");
        string outDir = Path.Combine(_dir, "out") + Path.DirectorySeparatorChar;
        var (code, log) = Run("dotnet", "msbuild", project, "-nologo", "-v:n", "-t:DipDefenseFixLibTorchSharpInOutput",
            $"-p:OutDir={outDir}", $"-p:DipDefenseHostLibStdCxx={hostLibStdCxx}");
        Assert.True(code == 0, log);
        return log;
    }

    /// <summary>The unmodified library in the NuGet global packages folder (only read, never written).</summary>
    static string PackageLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's native library not found at {path}");
        return path;
    }

    static string? ReadElfVersions(string path)
    {
        try
        {
            var (code, output) = Run("readelf", "-V", path);
            return code == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // binutils not installed: the byte-level assertions above still hold
        }
    }

    static (int Code, string Output) Run(string file, params string[] args)
    {
        var r = ProcessRunner.Run(file, args);
        return (r.ExitCode, r.StdOut + r.StdErr);
    }
}
