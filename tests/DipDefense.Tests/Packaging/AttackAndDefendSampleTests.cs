using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Builds samples/AttackAndDefend against the packages in nuget/ (not the projects) and runs it with tiny settings
/// on the shared CIFAR-10 images: a 2-image, 20-iteration run.
/// </summary>
[Collection(SamplesCollection.Name)]
public sealed class AttackAndDefendSampleTests
{
    const int Count = 2;

    [LocalPackagesFact(NeedsSharedData = true)]
    public void BuildsFromTheLocalPackagesAndPrintsConsistentLabelsAndAccuracies()
    {
        var output = SampleApp.Built("AttackAndDefend").Run(["--count", Count.ToString(), "--iterations", "20"]);

        var rows = output.Table("image", "true", "attacked", "purified");
        Assert.Equal(Enumerable.Range(0, Count).Select(i => i.ToString()), rows.Select(r => r[0]));
        Assert.Equal(TrueClassNames(Count), rows.Select(r => r[1]));
        output.AssertAccuraciesMatch(rows, truthColumn: 1, new Dictionary<string, int?> { ["clean"] = null, ["attacked"] = 2, ["purified"] = 3 });
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
}
