using System.IO.Compression;
using DipDefense.Data;

namespace DipDefense.Tests.Data;

public class IdxFormatTests
{
    static readonly string[] Names = ["zero", "one", "two"];

    /// <summary>An idx file: 0, 0, type, rank, big-endian int32 dims, data.</summary>
    static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims)
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    static void WriteGz(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    [Theory]
    [InlineData("train-images-idx3-ubyte", "train-labels-idx1-ubyte")]
    [InlineData("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")]
    public void RoundTripKeepsPixelsLabelsAndClassNames(string imagesName, string labelsName)
    {
        using var folder = new TempFolder();
        using var original = DataAssert.Random(6, 1, 5, 4, Names);
        string path = folder.File(imagesName);

        DatasetWriter.Write(original, path, DatasetFormat.Idx);
        Assert.True(File.Exists(folder.File(labelsName)), $"{labelsName} was not written");
        Assert.Equal(Names, File.ReadAllLines(folder.File("classes.txt")));

        Assert.Equal(DatasetFormat.Idx, DatasetReader.DetectFormat(path));
        using var read = DatasetReader.Read(path);
        Assert.Equal(new long[] { 6, 1, 5, 4 }, read.Images.shape);
        DataAssert.Close(original.Images, read.Images);
        DataAssert.OnByteGrid(read.Images);
        Assert.Equal(DataAssert.Labels(original), DataAssert.Labels(read));
        Assert.Equal(Names, read.ClassNames);
    }

    [Fact]
    public void WrittenFilesHaveBigEndianUnsignedByteHeaders()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(300, 1, 2, 3, Names);

        IdxFormat.Write(data, folder.File("x-images-idx3-ubyte"));

        var images = File.ReadAllBytes(folder.File("x-images-idx3-ubyte"));
        var labels = File.ReadAllBytes(folder.File("x-labels-idx1-ubyte"));
        Assert.Equal(Idx(8, [300, 2, 3], []), images[..16]);
        Assert.Equal(16 + 300 * 6, images.Length);
        Assert.Equal(Idx(8, [300], []), labels[..8]);
        Assert.Equal(DataAssert.Labels(data).Select(l => (byte)l), labels[8..]);
    }

    [Fact]
    public void GzipWriteIsReallyCompressed()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(3, 1, 4, 4, Names);

        IdxFormat.Write(data, folder.File("a-images-idx3-ubyte.gz"));

        var head = File.ReadAllBytes(folder.File("a-images-idx3-ubyte.gz"))[..2];
        Assert.Equal(new byte[] { 0x1F, 0x8B }, head);
        head = File.ReadAllBytes(folder.File("a-labels-idx1-ubyte.gz"))[..2];
        Assert.Equal(new byte[] { 0x1F, 0x8B }, head);
    }

    [Fact]
    public void ReadsHandWrittenFilesWithNumberedClassNames()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("train-images-idx3-ubyte"), Idx(8, [2, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4]));
        // labels file gzip-compressed while the images file is not: found by trying with and without .gz
        WriteGz(folder.File("train-labels-idx1-ubyte.gz"), Idx(8, [2], [7, 3]));

        using var data = DatasetReader.Read(folder.File("train-images-idx3-ubyte"));

        Assert.Equal(new long[] { 2, 1, 2, 2 }, data.Images.shape);
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f }, data.Images[0].flatten().data<float>().ToArray());
        Assert.Equal(new long[] { 7, 3 }, DataAssert.Labels(data));
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], data.ClassNames);
    }

    [Fact]
    public void FashionInThePathGivesFashionMnistNames()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("Fashion-MNIST"));
        WriteGz(folder.File("Fashion-MNIST", "t10k-images-idx3-ubyte.gz"), Idx(8, [1, 1, 1], [9]));
        WriteGz(folder.File("Fashion-MNIST", "t10k-labels-idx1-ubyte.gz"), Idx(8, [1], [9]));

        using var data = DatasetReader.Read(folder.File("Fashion-MNIST", "t10k-images-idx3-ubyte.gz"));

        Assert.Equal(10, data.ClassNames.Count);
        Assert.Equal("T-shirt/top", data.ClassNames[0]);
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    [Fact]
    public void FolderWithOnePairIsRead()
    {
        using var folder = new TempFolder();
        using var original = DataAssert.Random(4, 1, 3, 3, Names);
        IdxFormat.Write(original, folder.File("train-images-idx3-ubyte.gz"));

        Assert.Equal(DatasetFormat.Idx, DatasetReader.DetectFormat(folder.Path));
        using var read = DatasetReader.Read(folder.Path);

        DataAssert.Close(original.Images, read.Images);
        Assert.Equal(DataAssert.Labels(original), DataAssert.Labels(read));
    }

    [Fact]
    public void FolderWithTwoPairsListsWhatWasFound()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(2, 1, 3, 3, Names);
        IdxFormat.Write(data, folder.File("train-images-idx3-ubyte"));
        IdxFormat.Write(data, folder.File("t10k-images-idx3-ubyte"));

        var e = Assert.Throws<InvalidDataException>(() => IdxFormat.Read(folder.Path));

        Assert.Contains(folder.Path, e.Message);
        Assert.Contains("2 images/labels pairs", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void MissingLabelsFileIsReported()
    {
        using var folder = new TempFolder();
        string path = folder.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, Idx(8, [1, 1, 1], [0]));

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImagesFileMessageNamesTheFileAndByteCounts(bool gzip)
    {
        using var folder = new TempFolder();
        string path = folder.File("train-images-idx3-ubyte" + (gzip ? ".gz" : ""));
        var bytes = Idx(8, [3, 4, 4], new byte[40]); // header 16 + 40 of the 48 data bytes
        if (gzip)
            WriteGz(path, bytes);
        else
            File.WriteAllBytes(path, bytes);
        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), Idx(8, [3], [0, 1, 2]));

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("56 bytes", e.Message);
        Assert.Contains("expected 64", e.Message);
    }

    [Fact]
    public void UnsupportedTypeByteIsReported()
    {
        using var folder = new TempFolder();
        string path = folder.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, Idx(0x0D, [1, 1, 1], [0, 0, 0, 0]));
        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), Idx(8, [1], [0]));

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("0x0D", e.Message);
        Assert.Contains("0x08", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchIsReported()
    {
        using var folder = new TempFolder();
        string path = folder.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, Idx(8, [2, 1, 1], [0, 0]));
        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), Idx(8, [3], [0, 1, 2]));

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void WriteRejectsColourImages()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(2, 3, 4, 4, Names);

        var e = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(data, folder.File("x-images-idx3-ubyte"), DatasetFormat.Idx));

        Assert.Contains("3 channels", e.Message);
    }
}
