using System.Xml.Linq;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>What <c>dotnet pack DipDefense.MLNet.sln -c Release</c> put into nuget/: the two library packages, complete.</summary>
public sealed class PackageContentsTests
{
    static string Src(params string[] parts) => Path.Combine([SharedData.RepositoryRoot, "src", .. parts]);

    /// <summary>The package holds <paramref name="entry"/>, identical to the repository's <paramref name="source"/>.</summary>
    static void AssertPackedFromSource(string id, string entry, string source)
    {
        byte[]? packed = LocalPackages.ReadEntry(id, entry);
        Assert.True(packed is not null, $"{LocalPackages.PathOf(id)} has no {entry}");
        Assert.True(packed.AsSpan().SequenceEqual(File.ReadAllBytes(source)),
            $"{entry} in {LocalPackages.PathOf(id)} differs from {source}: the package is older than the source; re-run `dotnet pack DipDefense.MLNet.sln -c Release -o nuget`");
    }

    [LocalPackagesFact]
    public void EachPackageCarriesItsReadmeLicenseAssemblyXmlDocsAndSymbols()
    {
        LocalPackages.RequirePacked();
        foreach (string id in LocalPackages.Ids)
        {
            var metadata = LocalPackages.Metadata(id);
            XName Name(string local) => metadata.Name.Namespace + local;

            Assert.Equal(id, metadata.Element(Name("id"))?.Value);
            Assert.Equal(LocalPackages.Version, metadata.Element(Name("version"))?.Value);
            Assert.Equal("README.md", metadata.Element(Name("readme"))?.Value);
            AssertPackedFromSource(id, "README.md", Src(id, "PACKAGE.md"));
            var license = metadata.Element(Name("license"));
            Assert.Equal("expression", (string?)license?.Attribute("type"));
            Assert.Equal("MIT", license?.Value);
            AssertPackedFromSource(id, "LICENSE", Path.Combine(SharedData.RepositoryRoot, "LICENSE"));
            Assert.False(string.IsNullOrWhiteSpace((string?)metadata.Element(Name("repository"))?.Attribute("commit")), $"{id}: no repository commit");
            Assert.DoesNotContain("Package Description", metadata.Element(Name("description"))?.Value); // the SDK's placeholder

            var entries = LocalPackages.Entries(id);
            foreach (string extension in new[] { "dll", "pdb", "xml" })
                Assert.Contains($"lib/net10.0/{id}.{extension}", entries);
            var docs = XDocument.Load(new MemoryStream(LocalPackages.ReadEntry(id, $"lib/net10.0/{id}.xml")!));
            Assert.Equal(id, docs.Root?.Element("assembly")?.Element("name")?.Value);
        }
    }

    [LocalPackagesFact]
    public void TheCorePackageDocumentsItsApi()
    {
        LocalPackages.RequirePacked();
        var docs = XDocument.Load(new MemoryStream(LocalPackages.ReadEntry("DipDefense", "lib/net10.0/DipDefense.xml")!));
        var members = docs.Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet();

        Assert.Contains("T:DipDefense.Defense.DecisionSpacePurifier", members);
        Assert.Contains("T:DipDefense.Victims.OnnxClassifier", members);
    }

    [LocalPackagesFact]
    public void TheCorePackageCarriesTheTorchSharpFixAsBuildTransitive()
    {
        LocalPackages.RequirePacked();

        AssertPackedFromSource("DipDefense", "buildTransitive/DipDefense.targets", Src("DipDefense", "buildTransitive", "DipDefense.targets"));
    }

    [LocalPackagesFact]
    public void TheMLNetPackageDependsOnTheCorePackageOfTheSameVersion()
    {
        LocalPackages.RequirePacked();
        var metadata = LocalPackages.Metadata("DipDefense.MLNet");
        var dependency = metadata.Descendants(metadata.Name.Namespace + "dependency")
            .SingleOrDefault(d => (string?)d.Attribute("id") == "DipDefense");

        Assert.NotNull(dependency);
        Assert.Equal(LocalPackages.Version, (string?)dependency.Attribute("version"));
    }

    [LocalPackagesFact]
    public void OnlyTheLibrariesArePacked()
    {
        LocalPackages.RequirePacked();
        var others = Directory.GetFiles(LocalPackages.Folder, "*.nupkg").Select(Path.GetFileName)
            .Where(name => name!.StartsWith("DipDefense.Cli", StringComparison.OrdinalIgnoreCase) || name.StartsWith("DipDefense.Tests", StringComparison.OrdinalIgnoreCase));

        Assert.Empty(others);
    }
}
