using System.Collections.Concurrent;
using System.Security.Cryptography;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// A sample under samples/, built against the packages in nuget/ (not the projects) and run as a user runs it:
/// <c>dotnet run</c> in Release. Each sample is built once per test run.
/// </summary>
public sealed class SampleApp
{
    static readonly ConcurrentDictionary<string, Lazy<SampleApp>> BuiltApps = new();

    SampleApp(string name) => Folder = Path.Combine(SharedData.RepositoryRoot, "samples", name);

    /// <summary>The sample's folder, samples/&lt;name&gt;.</summary>
    public string Folder { get; }

    /// <summary>
    /// The sample <paramref name="name"/>, built in Release (once; a failed build fails every test that asks for it).
    /// The build must succeed, and the DipDefense assemblies it runs must be byte-identical to the packed ones.
    /// </summary>
    public static SampleApp Built(string name) =>
        BuiltApps.GetOrAdd(name, n => new Lazy<SampleApp>(() => new SampleApp(n).Build())).Value;

    SampleApp Build()
    {
        LocalPackages.RequirePacked();
        // Build servers are off so that no lingering node keeps the redirected output open.
        var build = ProcessRunner.Run("dotnet", ["build", Folder, "-c", "Release", "--disable-build-servers", "-nologo"]);
        Assert.True(build.ExitCode == 0, $"dotnet build of {Folder} failed:\n{build.StdOut}\n{build.StdErr}");

        // The sample runs the assemblies of the packages just packed, not older ones from a cache.
        foreach (string id in LocalPackages.Ids)
        {
            string assembly = Path.Combine(Folder, "bin", "Release", "net10.0", $"{id}.dll");
            if (id == "DipDefense" || File.Exists(assembly))
                Assert.Equal(SHA256.HashData(LocalPackages.ReadEntry(id, $"lib/net10.0/{id}.dll")!), SHA256.HashData(File.ReadAllBytes(assembly)));
        }
        return this;
    }

    /// <summary>
    /// Runs the sample with <paramref name="args"/> and <paramref name="environment"/>; fails unless it exits with code 0.
    /// Returns what it printed.
    /// </summary>
    /// <remarks>
    /// The sample runs with one libtorch thread (OMP_NUM_THREADS=1): the test host runs other tests at the same time, and
    /// libtorch's OpenMP threads slow down many times over when they compete for the cores (a 100-iteration single-image
    /// trace took 11 s with two threads under load against 0.7 s with one).
    /// </remarks>
    public SampleOutput Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["OMP_NUM_THREADS"] = "1" };
        var run = ProcessRunner.Run("dotnet", ["run", "--project", Folder, "-c", "Release", "--no-build", "--", .. args], variables);
        Assert.True(run.ExitCode == 0, $"{Path.GetFileName(Folder)} failed with exit code {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        return new SampleOutput(run.StdOut);
    }
}
