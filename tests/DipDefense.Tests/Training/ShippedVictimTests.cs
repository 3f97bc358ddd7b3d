using System.Globalization;
using System.Text.RegularExpressions;
using DipDefense.Data;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Training;

/// <summary>
/// The victim and images shipped in samples/assets (no ../shared needed): the model loads as an
/// <see cref="OnnxClassifier"/> and classifies the PNGs exactly as samples/assets/README.md states.
/// </summary>
public sealed partial class ShippedVictimTests
{
    static readonly string Assets = Path.Combine(SharedData.RepositoryRoot, "samples", "assets");
    static readonly string ModelPath = Path.Combine(Assets, "fashion-mnist-cnn.onnx");
    static readonly string Images = Path.Combine(Assets, "images");

    /// <summary>A row of the README's image table: index, label, class, file, prediction (confidence).</summary>
    [GeneratedRegex(@"^\| (\d+) \| (\d+) \| ([^|]+?) \| `([^`]+)` \| ([^|(]+?) \(([0-9.]+)\) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"classifies \*\*(\d+) of (\d+)\*\* of these images correctly")]
    private static partial Regex StatedAccuracy();

    [Fact]
    public void TheShippedModelIsASmallFashionMnistClassifier()
    {
        Assert.True(new FileInfo(ModelPath).Length < 1_000_000, "the shipped model should stay well under 1 MB");
        using var victim = new OnnxClassifier(ModelPath);
        victim.EnsureCompatible(1, 28, 28);
        Assert.Equal(10, victim.NumClasses);

        using var data = DatasetReader.Read(Images);
        Assert.Equal(KnownClassNames.FashionMnist, data.ClassNames);
        Assert.Equal((20, 1, 28, 28), (data.Count, data.Channels, data.Height, data.Width));
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(2, data.Labels.eq(k).sum().item<long>()));
    }

    [Fact]
    public void TheShippedModelClassifiesTheShippedImagesAsTheReadmeStates()
    {
        string readme = File.ReadAllText(Path.Combine(Assets, "README.md"));
        var rows = TableRow().Matches(readme);
        var stated = StatedAccuracy().Match(readme);
        Assert.True(stated.Success, "samples/assets/README.md no longer states the accuracy on the shipped images");
        var pngs = Directory.GetFiles(Images, "*.png", SearchOption.AllDirectories);
        Assert.Equal(pngs.Length, rows.Count);
        Assert.Equal(pngs.Length, int.Parse(stated.Groups[2].Value, CultureInfo.InvariantCulture));

        var classes = File.ReadAllLines(Path.Combine(Images, "classes.txt"));
        using var victim = new OnnxClassifier(ModelPath);
        int correct = 0;
        foreach (Match row in rows)
        {
            int label = int.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture);
            string className = row.Groups[3].Value, file = row.Groups[4].Value, stem = Path.GetFileNameWithoutExtension(file);
            Assert.Equal(classes[label], className);
            Assert.StartsWith(int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture).ToString("D5", CultureInfo.InvariantCulture) + "-", stem);

            using var image = PngImage.Load(Path.Combine(Images, file));
            Assert.Equal(new long[] { 1, 28, 28 }, image.shape);
            using var batch = image.unsqueeze(0);
            using var logits = victim.Logits(batch);
            using var probabilities = logits.softmax(1);
            int predicted = (int)probabilities.argmax(1).item<long>();
            Assert.True(classes[predicted] == row.Groups[5].Value, $"{file}: the model predicts {classes[predicted]}, the README says {row.Groups[5].Value}");
            Assert.Equal(double.Parse(row.Groups[6].Value, CultureInfo.InvariantCulture), probabilities[0, predicted].item<float>(), 0.0006);
            if (predicted == label)
                correct++;
        }
        Assert.Equal(int.Parse(stated.Groups[1].Value, CultureInfo.InvariantCulture), correct);
    }
}
