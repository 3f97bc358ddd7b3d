using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// The DipDefense packages that <c>dotnet pack</c> puts into the repository's nuget/ folder, at the version of the
/// DipDefense assembly under test.
/// </summary>
public static class LocalPackages
{
    /// <summary>The package ids the solution produces.</summary>
    public static readonly string[] Ids = ["DipDefense", "DipDefense.MLNet"];

    /// <summary>The repository's nuget/ folder.</summary>
    public static string Folder => Path.Combine(SharedData.RepositoryRoot, "nuget");

    /// <summary>The package version: the version the build gave the DipDefense assembly (without the commit suffix).</summary>
    public static string Version { get; } =
        typeof(DipDefense.Data.ImageDataset).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
            .InformationalVersion.Split('+')[0];

    /// <summary>The path of the package <paramref name="id"/> in nuget/ (whether or not it exists).</summary>
    public static string PathOf(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    /// <summary>Whether both packages are in nuget/.</summary>
    public static bool Packed => Ids.All(id => File.Exists(PathOf(id)));

    /// <summary>Whether the tests run in CI, where a missing package is a failure rather than a reason to skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why packaging tests cannot run when <see cref="Packed"/> is false.</summary>
    public static string MissingReason =>
        $"nuget/ has no DipDefense {Version} packages (expected {PathOf(Ids[0])} and {PathOf(Ids[1])}): " +
        "run `dotnet pack DipDefense.MLNet.sln -c Release -o nuget` at the repository root first";

    /// <summary>Fails the test with <see cref="MissingReason"/> when the packages are absent (reached in CI only).</summary>
    public static void RequirePacked() => Assert.True(Packed, MissingReason);

    /// <summary>The bytes of <paramref name="entry"/> in package <paramref name="id"/>, or null when the package lacks it.</summary>
    public static byte[]? ReadEntry(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(PathOf(id));
        if (zip.GetEntry(entry) is not { } found)
            return null;
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The entry names of package <paramref name="id"/>.</summary>
    public static IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(PathOf(id));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    /// <summary>The <c>metadata</c> element of the package's nuspec.</summary>
    public static XElement Metadata(string id)
    {
        byte[] nuspec = ReadEntry(id, $"{id}.nuspec") ?? throw new InvalidDataException($"{PathOf(id)} has no {id}.nuspec");
        var root = XDocument.Load(new MemoryStream(nuspec)).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}

/// <summary>
/// A fact that needs the packages in nuget/. Outside CI it is skipped, with the command to run, when they are absent
/// (so <c>dotnet test</c> stays usable on a fresh clone); with CI=true it runs and fails with that message.
/// </summary>
public sealed class LocalPackagesFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the packages are absent outside CI.</summary>
    public LocalPackagesFactAttribute()
    {
        if (!LocalPackages.Packed && !LocalPackages.InCi)
            Skip = LocalPackages.MissingReason;
    }

    /// <summary>Also skip, with the reason, when ../shared is absent (the test runs on the shared data).</summary>
    public bool NeedsSharedData
    {
        get => needsSharedData;
        set
        {
            needsSharedData = value;
            if (value && !SharedData.Available)
                Skip = SharedData.SkipReason;
        }
    }

    bool needsSharedData;
}
