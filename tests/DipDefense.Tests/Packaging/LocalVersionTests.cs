using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Local packs are versioned 0.1.0-local-&lt;stamp&gt;, the stamp a hash of the library sources (Directory.Build.targets,
/// docs/packaging.md#versions), so that a copy of DipDefense in a NuGet cache never stands in for a newer pack and the
/// demo keeps working after an application of one's own took the packages from nuget/.
/// </summary>
[Collection(SamplesCollection.Name)]
public sealed partial class LocalVersionTests
{
    static string Root => SharedData.RepositoryRoot;

    /// <summary>The files and folders that decide the version, copied to make a second source tree.</summary>
    static readonly string[] VersionInputs =
        ["LICENSE", "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "src/DipDefense", "src/DipDefense.MLNet"];

    [Fact]
    public void TheVersionIsAHashOfTheSources()
    {
        using var temp = new TempDir();
        foreach (string input in VersionInputs)
            Copy(Path.Combine(Root, input), Path.Combine(temp.Path, input));
        string project = Path.Combine(temp.Path, "src", "DipDefense", "DipDefense.csproj");
        string source = Path.Combine(temp.Path, "src", "DipDefense", "Defense", "PurifierOptions.cs");
        string original = File.ReadAllText(source);

        string first = VersionOf(project);
        string again = VersionOf(project);
        File.AppendAllText(source, "// a changed source\n");
        string changed = VersionOf(project);
        File.WriteAllText(source, original);
        string restored = VersionOf(project);

        Assert.Matches(LocalVersion(), first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, changed);
        Assert.Matches(LocalVersion(), changed);
        Assert.Equal(first, restored);

        // The DipDefense assembly under test was built from the repository's sources, with their version.
        string repository = VersionOf(Path.Combine(Root, "src", "DipDefense", "DipDefense.csproj"));
        Assert.True(repository == LocalPackages.Version,
            $"the DipDefense assembly under test has version {LocalPackages.Version}, the sources {repository}: build again");
    }

    /// <summary>
    /// The sequence of the issue: an application of one's own adds DipDefense.MLNet from nuget/ (as the README shows),
    /// which leaves the DipDefense packages in the NuGet cache; then samples/quickstart.sh must still build and run the
    /// demo. The user's cache is simulated by a folder of the test's own (NUGET_PACKAGES) that links every package
    /// version of the real cache except DipDefense's, so nothing is downloaded and the real cache is never written.
    /// </summary>
    [LocalPackagesFact]
    public void TheDemoRunsAfterAnApplicationOfOnesOwnTookThePackagesFromNuget()
    {
        LocalPackages.RequirePacked();
        using var temp = new TempDir();
        string version = LocalPackages.Version;
        string realCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cache = Path.Combine(temp.Path, "nuget-cache");
        LinkPackages(realCache, cache);
        var asUser = new Dictionary<string, string> { ["NUGET_PACKAGES"] = cache, ["OMP_NUM_THREADS"] = "1" };

        // The user's application, with nuget/ added as a package source. Its other source is the real cache read as a
        // local feed (where the user has nuget.org), and source mapping keeps DipDefense to nuget/.
        string app = Path.Combine(temp.Path, "MyApp");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "MyApp.csproj"),
            """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(typeof(DipDefense.MLNet.DipPurifyOptions).Assembly);\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"),
            $"""
            <configuration>
              <packageSources><clear /><add key="packages-here" value="{realCache}" /></packageSources>
              <packageSourceMapping>
                <packageSource key="packages-here"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        Succeed(ProcessRunner.Run("dotnet", ["nuget", "add", "source", LocalPackages.Folder, "--name", "dipdefense-local", "--configfile", "nuget.config"], asUser, app));
        string config = File.ReadAllText(Path.Combine(app, "nuget.config"));
        File.WriteAllText(Path.Combine(app, "nuget.config"), config.Replace("</packageSourceMapping>",
            """<packageSource key="dipdefense-local"><package pattern="DipDefense" /><package pattern="DipDefense.*" /></packageSource></packageSourceMapping>"""));
        Succeed(ProcessRunner.Run("dotnet", ["add", "package", "DipDefense.MLNet", "--prerelease"], asUser, app));

        // The "user's" cache now holds the DipDefense packages of nuget/.
        foreach (string id in LocalPackages.Ids)
            Assert.True(File.Exists(Path.Combine(cache, id.ToLowerInvariant(), version, "lib", "net10.0", $"{id}.dll")),
                $"{id} {version} is not in the application's NuGet cache {cache}");
        Assert.Contains($"Version=\"{version}\"", File.ReadAllText(Path.Combine(app, "MyApp.csproj")));

        // The demo's own copies go, so that it must take DipDefense from that cache: the case that used to fail.
        foreach (string id in LocalPackages.Ids)
        {
            string extracted = Path.Combine(Root, "samples", ".packages", id.ToLowerInvariant(), version);
            if (Directory.Exists(extracted))
                Directory.Delete(extracted, recursive: true);
        }

        string output = Path.Combine(temp.Path, "out");
        var demo = ProcessRunner.Run("bash", [Path.Combine(Root, "samples", "quickstart.sh"), "--count", "2", "--iterations", "20", "--out", output], asUser);

        Assert.True(demo.ExitCode == 0, $"samples/quickstart.sh failed with exit code {demo.ExitCode}:\n{demo.StdOut}\n{demo.StdErr}");
        var printed = new SampleOutput(demo.StdOut);
        Assert.Equal(2, printed.Table("file", "true", "clean", "adversarial", "purified").Count);
        printed.Line(@"purified accuracy +\S+ \(\d+/2\)");
        Assert.True(File.Exists(Path.Combine(output, "grid.png")), "the demo wrote no grid.png");
        foreach (string id in LocalPackages.Ids)
        {
            Assert.False(Directory.Exists(Path.Combine(Root, "samples", ".packages", id.ToLowerInvariant(), version)),
                $"the demo extracted {id} again instead of taking it from the NuGet cache");
            Assert.Equal(SHA256.HashData(LocalPackages.ReadEntry(id, $"lib/net10.0/{id}.dll")!),
                SHA256.HashData(File.ReadAllBytes(Path.Combine(Root, "samples", "QuickStart", "bin", "Release", "net10.0", $"{id}.dll"))));
        }
    }

    /// <summary>The version <c>dotnet msbuild -t:DipDefenseLocalVersion</c> gives <paramref name="project"/> (nothing is built).</summary>
    static string VersionOf(string project)
    {
        var run = ProcessRunner.Run("dotnet", ["msbuild", project, "-nologo", "-t:DipDefenseLocalVersion", "-getProperty:Version"]);
        Assert.True(run.ExitCode == 0, $"dotnet msbuild {project} failed:\n{run.StdOut}\n{run.StdErr}");
        return run.StdOut.Trim();
    }

    /// <summary>Copies a file, or a folder without its bin/ and obj/.</summary>
    static void Copy(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            return;
        }
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
                continue;
            Copy(file, Path.Combine(destination, relative));
        }
    }

    /// <summary>
    /// Fills <paramref name="cache"/> with a symbolic link to every package version of <paramref name="realCache"/>
    /// except DipDefense's. The links are per version, so a version restored later is written into the test's folder,
    /// never through a link into the real cache (and deleting the folder removes the links, not their targets).
    /// </summary>
    static void LinkPackages(string realCache, string cache)
    {
        Assert.True(Directory.Exists(realCache), $"no NuGet cache at {realCache}");
        foreach (string package in Directory.EnumerateDirectories(realCache))
        {
            string id = Path.GetFileName(package);
            if (id.StartsWith("dipdefense", StringComparison.OrdinalIgnoreCase))
                continue;
            foreach (string version in Directory.EnumerateDirectories(package))
            {
                string link = Path.Combine(cache, id, Path.GetFileName(version));
                Directory.CreateDirectory(Path.GetDirectoryName(link)!);
                Directory.CreateSymbolicLink(link, version);
            }
        }
    }

    static void Succeed(ProcessRunner.Result run) =>
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");

    [GeneratedRegex(@"^\d+\.\d+\.\d+-local-[0-9a-f]{12}$")]
    private static partial Regex LocalVersion();
}
