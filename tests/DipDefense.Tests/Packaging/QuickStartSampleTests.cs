using DipDefense.Data;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;
using DipDefense.Visualization;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Builds samples/QuickStart against the packages in nuget/ and runs it on the shipped assets with tiny settings
/// (3 images, T = 20); checks that what it prints agrees with the files it wrote and with the shipped victim.
/// </summary>
[Collection(SamplesCollection.Name)]
public sealed class QuickStartSampleTests
{
    const int Count = 3;

    static string Assets => Path.Combine(SharedData.RepositoryRoot, "samples", "assets");

    [LocalPackagesFact]
    public void AttacksPurifiesThroughThePipelineAndWritesWhatItPrints()
    {
        using var temp = new TempDir();
        var output = SampleApp.Built("QuickStart").Run(["--count", Count.ToString(), "--iterations", "20", "--out", temp.Path]);

        var rows = output.Table("file", "true", "clean", "adversarial", "purified");
        output.AssertAccuraciesMatch(rows, truthColumn: 1, new Dictionary<string, int?> { ["clean"] = 2, ["adversarial"] = 3, ["purified"] = 4 });
        var agreement = output.Line(@"the victim's label \(ApplyOnnxModel\) equals DipPurify's purified_label on (\d+) of (\d+) rows; .*");
        Assert.Equal((Count.ToString(), Count.ToString()), (agreement.Groups[1].Value, agreement.Groups[2].Value));

        // The first images of the shipped set, with their true classes and the victim's labels.
        using var victim = new OnnxClassifier(Path.Combine(Assets, "fashion-mnist-cnn.onnx"));
        using var all = DatasetReader.Read(Path.Combine(Assets, "images"));
        using var clean = all.Slice(0, Count);
        string[] Names(IEnumerable<long> labels) => labels.Select(l => clean.ClassNames[(int)l]).ToArray();
        Assert.Equal(Names(clean.Labels.data<long>().ToArray()), rows.Select(r => r[1]));
        Assert.Equal(Names(victim.PredictLabels(clean.Images)), rows.Select(r => r[2]));

        // The adversarial files: one per row, in its true class's folder, within eps = 8/255 of the clean image, labelled as printed.
        using var adversarial = ReadRows(Path.Combine(temp.Path, "adversarial"), rows, clean.ClassNames);
        Assert.Equal(Names(victim.PredictLabels(adversarial)), rows.Select(r => r[3]));
        using (var distance = (adversarial - clean.Images).abs().max())
            Assert.InRange(distance.item<float>(), 0.5f / 255, 8f / 255 + 1e-6f);

        // The purified files: one per row, changed by the purifier.
        using var purified = ReadRows(Path.Combine(temp.Path, "purified"), rows, clean.ClassNames);
        using (var change = (purified - adversarial).abs().max())
            Assert.True(change.item<float>() > 0, "the purified images equal the adversarial ones");

        // The grid shows exactly these images, with the printed labels as captions and the true classes as row titles.
        string expectedGrid = Path.Combine(temp.Path, "expected-grid.png");
        ImageGrid.SaveColumns([clean.Images, adversarial, purified], expectedGrid,
            rows.Select(r => (IReadOnlyList<string?>)[r[2], r[3], r[4]]).ToArray(),
            new ImageGridOptions { ColumnTitles = ["clean", "adversarial", "purified"], RowTitles = rows.Select(r => r[1]).ToArray() });
        Assert.Equal(File.ReadAllBytes(expectedGrid), File.ReadAllBytes(Path.Combine(temp.Path, "grid.png")));

        // The decision trace is of an attacked row, named with that row's classes, and the plot is the default 800×450.
        var trace = output.Line(@"(.+): true (.+), adversarial (.+); .*, purified label (.+) \(the pipeline's: (.+)\)");
        var row = rows.Single(r => r[0] == trace.Groups[1].Value);
        Assert.Equal((row[1], row[3], row[4]), (trace.Groups[2].Value, trace.Groups[3].Value, trace.Groups[5].Value));
        using var plot = PngImage.Load(Path.Combine(temp.Path, "trace.png"));
        Assert.Equal(new long[] { 450, 800 }, plot.shape[1..]);
    }

    /// <summary>The row files under <paramref name="root"/>, stacked in row order; each must lie in the folder of its row's true class.</summary>
    static Tensor ReadRows(string root, IReadOnlyList<string[]> rows, IReadOnlyList<string> classNames)
    {
        var listing = ImageFolderFormat.ListFiles(root);
        Assert.Equal(rows.Select(r => Path.Combine(root, r[0])).Order(), listing.Files.Order());
        var images = new List<Tensor>();
        try
        {
            foreach (var row in rows)
            {
                string file = Path.Combine(root, row[0]);
                Assert.Equal(row[1], classNames[(int)listing.Labels[listing.Files.ToList().IndexOf(file)]]);
                images.Add(PngImage.Load(file));
            }
            return stack(images);
        }
        finally
        {
            images.ForEach(image => image.Dispose());
        }
    }
}
