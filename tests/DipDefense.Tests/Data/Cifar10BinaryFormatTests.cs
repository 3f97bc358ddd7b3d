using DipDefense.Data;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Data;

public class Cifar10BinaryFormatTests
{
    static readonly string[] Names = ["alpha", "beta", "gamma", "delta"];

    [Fact]
    public void RoundTripKeepsPixelsLabelsAndClassNames()
    {
        using var folder = new TempFolder();
        using var original = DataAssert.Random(7, 3, 32, 32, Names);
        string path = folder.File("out", "adv.bin");

        DatasetWriter.Write(original, path, DatasetFormat.Cifar10Binary);
        Assert.Equal(7 * 3073, new FileInfo(path).Length);
        Assert.Equal(Names, File.ReadAllLines(folder.File("out", "batches.meta.txt")));

        using var read = DatasetReader.Read(path);
        Assert.Equal(new long[] { 7, 3, 32, 32 }, read.Images.shape);
        Assert.Equal(ScalarType.Float32, read.Images.dtype);
        DataAssert.Close(original.Images, read.Images);
        DataAssert.OnByteGrid(read.Images);
        Assert.Equal(DataAssert.Labels(original), DataAssert.Labels(read));
        Assert.Equal(Names, read.ClassNames);
    }

    [Fact]
    public void WriteQuantisesToNearestAndLaysOutLabelThenRgbPlanes()
    {
        using var folder = new TempFolder();
        var pixels = new float[3072];
        pixels[0] = 0.5f / 255f + 0.001f;  // R(0,0) rounds up to 1
        pixels[1] = 1.7f;                  // R(0,1) clamps to 255
        pixels[1024] = -0.2f;              // G(0,0) clamps to 0
        pixels[3071] = 100.4f / 255f;      // B(31,31) rounds down to 100
        using var data = new ImageDataset(torch.tensor(pixels, new long[] { 1, 3, 32, 32 }), torch.tensor(new long[] { 2 }), Names);
        string path = folder.File("one.bin");

        Cifar10BinaryFormat.Write(data, path);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(3073, bytes.Length);
        Assert.Equal(2, bytes[0]);
        Assert.Equal(1, bytes[1]);
        Assert.Equal(255, bytes[2]);
        Assert.Equal(0, bytes[1 + 1024]);
        Assert.Equal(100, bytes[3072]);
    }

    [Fact]
    public void WriteKeepsAnExistingMetaFile()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder.File("batches.meta.txt"), ["w", "x", "y", "z", "extra"]);
        using var data = DataAssert.Random(2, 3, 32, 32, Names);

        Cifar10BinaryFormat.Write(data, folder.File("a.bin"));

        Assert.Equal(["w", "x", "y", "z", "extra"], File.ReadAllLines(folder.File("batches.meta.txt")));
    }

    [Fact]
    public void ReadWithoutMetaFileUsesStandardCifar10Names()
    {
        using var folder = new TempFolder();
        var bytes = new byte[2 * 3073];
        bytes[0] = 9;
        bytes[3073] = 4;
        bytes[1] = 255;
        File.WriteAllBytes(folder.File("x.bin"), bytes);

        using var data = DatasetReader.Read(folder.File("x.bin"));

        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], data.ClassNames);
        Assert.Equal(new long[] { 9, 4 }, DataAssert.Labels(data));
        Assert.Equal(1f, data.Images[0, 0, 0, 0].item<float>());
        Assert.Equal(0f, data.Images[0, 0, 0, 1].item<float>());
    }

    [Fact]
    public void FolderOfTwoBinFilesIsReadInOrdinalNameOrderAndConcatenated()
    {
        using var folder = new TempFolder();
        using var first = DataAssert.Random(3, 3, 32, 32, Names, seed: 2);
        using var second = DataAssert.Random(5, 3, 32, 32, Names, seed: 3);
        Cifar10BinaryFormat.Write(second, folder.File("data_batch_2.bin"));
        Cifar10BinaryFormat.Write(first, folder.File("data_batch_1.bin"));

        Assert.Equal(DatasetFormat.Cifar10Binary, DatasetReader.DetectFormat(folder.Path));
        using var read = DatasetReader.Read(folder.Path);

        Assert.Equal(8, read.Count);
        using var expected = torch.cat(new[] { first.Images, second.Images });
        DataAssert.Close(expected, read.Images);
        Assert.Equal(DataAssert.Labels(first).Concat(DataAssert.Labels(second)), DataAssert.Labels(read));
        Assert.Equal(Names, read.ClassNames);
    }

    [Fact]
    public void TruncatedFileMessageNamesTheFileAndBothByteCounts()
    {
        using var folder = new TempFolder();
        string path = folder.File("short.bin");
        File.WriteAllBytes(path, new byte[2 * 3073 + 100]);

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("6246 bytes", e.Message);
        Assert.Contains("multiple of 3073", e.Message);
        Assert.Contains("100 of 3073", e.Message);
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        using var folder = new TempFolder();
        string path = folder.File("empty.bin");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryFormat.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("0 bytes", e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void LabelBeyondMetaNamesIsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder.File("batches.meta.txt"), ["a", "b"]);
        var bytes = new byte[3073];
        bytes[0] = 5;
        File.WriteAllBytes(folder.File("x.bin"), bytes);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryFormat.Read(folder.File("x.bin")));

        Assert.Contains("label 5", e.Message);
        Assert.Contains("batches.meta.txt", e.Message);
    }

    [Fact]
    public void WriteRejectsImagesThatAreNot3x32x32()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(2, 1, 28, 28, Names);

        var e = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(data, folder.File("x.bin"), DatasetFormat.Cifar10Binary));

        Assert.Contains("3x32x32", e.Message);
        Assert.Contains("1x28x28", e.Message);
        Assert.False(File.Exists(folder.File("x.bin")));
    }

    [SharedDataFact]
    public void SharedBatchHas500ImagesWithTheFilesLabelsAndMetaNames()
    {
        var bytes = File.ReadAllBytes(SharedData.Cifar10Batch);
        var metaNames = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(SharedData.Cifar10Batch)!, "batches.meta.txt"))
                            .Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

        using var data = DatasetReader.Read(SharedData.Cifar10Batch);

        Assert.Equal(new long[] { 500, 3, 32, 32 }, data.Images.shape);
        Assert.Equal(500, data.Labels.shape[0]);
        Assert.True(data.Images.min().item<float>() >= 0f);
        Assert.True(data.Images.max().item<float>() <= 1f);
        Assert.True(data.Images.max().item<float>() > 0.9f, "a real batch has bright pixels");
        Assert.Equal(bytes[0], data.Labels[0].item<long>());
        Assert.Equal(bytes[499 * 3073], data.Labels[499].item<long>());
        Assert.Equal(bytes[1] / 255f, data.Images[0, 0, 0, 0].item<float>());
        Assert.Equal(bytes[1 + 2 * 1024 + 5] / 255f, data.Images[0, 2, 0, 5].item<float>());
        Assert.Equal(10, metaNames.Length);
        Assert.Equal(metaNames, data.ClassNames);
    }
}
