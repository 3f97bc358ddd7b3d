using DipDefense.Data;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Builds samples/YourModel against the packages in nuget/ and runs it with tiny settings (3 images, T = 20): on the
/// shipped grey victim given as "your" model, and on the shared CIFAR-10 ResNet-20 (its default).
/// </summary>
[Collection(SamplesCollection.Name)]
public sealed class YourModelSampleTests
{
    const int Count = 3;

    static SampleApp App => SampleApp.Built("YourModel");

    [LocalPackagesFact]
    public void RunsTheGreyPathOnAGivenFolderAndModel()
    {
        using var temp = new TempDir();
        string images = Path.Combine(SharedData.RepositoryRoot, "samples", "assets", "images");
        string model = Path.Combine(SharedData.RepositoryRoot, "samples", "assets", "fashion-mnist-cnn.onnx");

        var output = App.Run(["--images", images, "--model", model, "--count", Count.ToString(), "--iterations", "20", "--out", temp.Path]);

        output.Line("LoadImages → ResizeImages → ExtractPixels → DipPurify \\(pixels\\) → ApplyOnnxModel");
        AssertConsistent(output, images, model, temp.Path);
    }

    [LocalPackagesFact(NeedsSharedData = true)]
    public void RunsTheRgbPathOnTheSharedCifar10Images()
    {
        using var temp = new TempDir();

        var output = App.Run(["--count", Count.ToString(), "--iterations", "20", "--out", temp.Path]);

        output.Line("LoadImages → ResizeImages → DipPurify \\(image\\) → ExtractPixels → ApplyOnnxModel");
        string images = Path.Combine(temp.Path, "cifar10");
        AssertConsistent(output, images, SharedData.ResNet20, temp.Path);
        // The PNG files are the first shared images (the folder groups them by class).
        using var written = DatasetReader.Read(images);
        using var all = DatasetReader.Read(SharedData.Cifar10Batch);
        using var first = all.Slice(0, Count);
        Assert.Equal(first.Labels.data<long>().ToArray().Order(), written.Labels.data<long>().ToArray());
    }

    [LocalPackagesFact]
    public void WithoutSharedDataOrPathsSaysSoAndExitsWithZero()
    {
        using var empty = new TempDir();

        var output = App.Run([], new Dictionary<string, string> { ["DIPDEFENSE_SHARED"] = empty.Path });

        output.Line("The shared CIFAR-10 images and ResNet-20 victim are not here, so there is nothing to run:");
        Assert.DoesNotContain("##", output.Text);
    }

    /// <summary>
    /// The rows are files of <paramref name="images"/> with their true classes, the undefended labels are the victim's on those
    /// files, the accuracies agree with the table, and the saved pipeline, loaded back, labels the first rows as before.
    /// </summary>
    static void AssertConsistent(SampleOutput output, string images, string model, string outFolder)
    {
        var rows = output.Table("file", "true", "undefended", "defended");
        Assert.Equal(Count, rows.Count);
        output.AssertAccuraciesMatch(rows, truthColumn: 1, new Dictionary<string, int?> { ["undefended"] = 2, ["defended"] = 3 });

        var listing = ImageFolderFormat.ListFiles(images);
        string[] files = rows.Select(r => Path.Combine(images, r[0])).ToArray();
        Assert.Equal(files.Select(f => listing.ClassNames[(int)listing.Labels[listing.Files.ToList().IndexOf(f)]]), rows.Select(r => r[1]));
        using var victim = new OnnxClassifier(model);
        var loaded = files.Select(PngImage.Load).ToList();
        using var batch = stack(loaded);
        loaded.ForEach(image => image.Dispose());
        Assert.Equal(victim.PredictLabels(batch).Select(l => listing.ClassNames[(int)l]), rows.Select(r => r[2]));

        Assert.True(new FileInfo(Path.Combine(outFolder, "pipeline.zip")).Length > new FileInfo(model).Length, "pipeline.zip does not hold the victim");
        var reloaded = output.Line("the loaded pipeline labels the first 2 rows (.+); the original: (.+)");
        Assert.Equal(string.Join(", ", rows.Take(2).Select(r => r[3])), reloaded.Groups[2].Value);
        Assert.Equal(reloaded.Groups[2].Value, reloaded.Groups[1].Value);
    }
}
