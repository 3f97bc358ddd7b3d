using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Builds samples/AttackAndDefend against the packages in nuget/ (not the projects) and runs it with tiny settings
/// on the shared CIFAR-10 images: one restore and build, then a 2-image, 20-iteration run.
/// </summary>
public sealed partial class AttackAndDefendSampleTests
{
    const int Count = 2;

    static string SampleFolder => Path.Combine(SharedData.RepositoryRoot, "samples", "AttackAndDefend");

    [LocalPackagesFact(NeedsSharedData = true)]
    public void BuildsFromTheLocalPackagesAndPrintsConsistentLabelsAndAccuracies()
    {
        LocalPackages.RequirePacked();

        // Build servers are off so that no lingering node keeps the redirected output open.
        var build = ProcessRunner.Run("dotnet", ["build", SampleFolder, "-c", "Release", "--disable-build-servers", "-nologo"]);
        Assert.True(build.ExitCode == 0, $"dotnet build of the sample failed:\n{build.StdOut}\n{build.StdErr}");

        // The sample runs the DipDefense.dll of the package just packed, not an older one from a cache.
        string assembly = Path.Combine(SampleFolder, "bin", "Release", "net10.0", "DipDefense.dll");
        Assert.Equal(Sha256OfPackageEntry("DipDefense", "lib/net10.0/DipDefense.dll"), SHA256.HashData(File.ReadAllBytes(assembly)));

        var run = ProcessRunner.Run("dotnet", ["run", "--project", SampleFolder, "-c", "Release", "--no-build", "--",
            "--count", Count.ToString(), "--iterations", "20"]);
        Assert.True(run.ExitCode == 0, $"the sample failed with exit code {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");

        var rows = RowPattern().Matches(run.StdOut).Select(m => (Image: int.Parse(m.Groups[1].Value), True: m.Groups[2].Value,
            Attacked: m.Groups[3].Value, Purified: m.Groups[4].Value)).ToList();
        Assert.Equal(Enumerable.Range(0, Count), rows.Select(r => r.Image));
        Assert.Equal(TrueClassNames(Count), rows.Select(r => r.True));

        var accuracy = AccuracyPattern().Matches(run.StdOut).ToDictionary(m => m.Groups[1].Value,
            m => (Value: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                  Correct: int.Parse(m.Groups[3].Value), Total: int.Parse(m.Groups[4].Value)));
        Assert.Equal(["attacked", "clean", "purified"], accuracy.Keys.Order());
        foreach (var (name, a) in accuracy)
        {
            Assert.Equal(Count, a.Total);
            Assert.Equal((double)a.Correct / a.Total, a.Value, 3);
        }
        Assert.Equal(rows.Count(r => r.Attacked == r.True), accuracy["attacked"].Correct);
        Assert.Equal(rows.Count(r => r.Purified == r.True), accuracy["purified"].Correct);
    }

    /// <summary>The class names of the first <paramref name="count"/> shared images, read from the file's label bytes.</summary>
    static string[] TrueClassNames(int count)
    {
        var names = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(SharedData.Cifar10Batch)!, "batches.meta.txt"))
            .Where(line => line.Trim().Length > 0).ToArray();
        using var file = File.OpenRead(SharedData.Cifar10Batch);
        var labels = new string[count];
        for (int i = 0; i < count; i++)
        {
            file.Position = i * 3073L; // 1 label byte + 3072 pixel bytes per record
            labels[i] = names[file.ReadByte()];
        }
        return labels;
    }

    static byte[] Sha256OfPackageEntry(string id, string entry) => SHA256.HashData(LocalPackages.ReadEntry(id, entry)!);

    [GeneratedRegex(@"^\s*(\d+)  (\S+)\s+(\S+)\s+(\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"^(clean|attacked|purified) accuracy\s+([0-9.]+) \((\d+)/(\d+)\)\r?$", RegexOptions.Multiline)]
    private static partial Regex AccuracyPattern();
}
