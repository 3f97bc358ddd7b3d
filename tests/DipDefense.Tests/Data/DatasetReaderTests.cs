using DipDefense.Data;

namespace DipDefense.Tests.Data;

public class DatasetReaderTests
{
    [Fact]
    public void MissingPathThrowsFileNotFoundNamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "dipdefense-no-such-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<FileNotFoundException>(() => DatasetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
        Assert.Throws<FileNotFoundException>(() => DatasetReader.DetectFormat(path));
    }

    [Fact]
    public void UnknownFileFormatMessageNamesPathAndListsSupportedFormats()
    {
        using var folder = new TempFolder();
        string path = folder.File("notes.txt");
        File.WriteAllText(path, "hello");

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("CIFAR-10 binary", e.Message);
        Assert.Contains(".bin", e.Message);
        Assert.Contains("idx", e.Message);
        Assert.Contains("labels file", e.Message);
        Assert.Contains("image folder", e.Message);
        Assert.Contains("PNG/JPEG", e.Message);
    }

    [Fact]
    public void FolderWithoutDataIsAnUnknownFormat()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty-class"));
        File.WriteAllText(folder.File("empty-class", "readme.txt"), "no images");

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.DetectFormat(folder.Path));

        Assert.Contains(folder.Path, e.Message);
        Assert.Contains("Supported formats", e.Message);
    }

    [Fact]
    public void ExplicitFormatOverridesDetection()
    {
        using var folder = new TempFolder();
        string path = folder.File("renamed.dat");
        var bytes = new byte[3073];
        bytes[0] = 3;
        File.WriteAllBytes(path, bytes);

        Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));
        using var data = DatasetReader.Read(path, DatasetFormat.Cifar10Binary);

        Assert.Equal(1, data.Count);
        Assert.Equal(3L, data.Labels[0].item<long>());
    }

    [Theory]
    [InlineData("data_batch_1.bin", DatasetFormat.Cifar10Binary)]
    [InlineData("TEST.BIN", DatasetFormat.Cifar10Binary)]
    [InlineData("train-images-idx3-ubyte", DatasetFormat.Idx)]
    [InlineData("train-images.idx3-ubyte.gz", DatasetFormat.Idx)]
    [InlineData("t10k-labels-idx1-ubyte", DatasetFormat.Idx)]
    public void FilesAreDetectedByName(string name, DatasetFormat expected)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File(name), [0]);

        Assert.Equal(expected, DatasetReader.DetectFormat(folder.File(name)));
    }
}
