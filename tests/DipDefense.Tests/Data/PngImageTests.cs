using DipDefense.Data;

namespace DipDefense.Tests.Data;

public class PngImageTests
{
    [Theory]
    [InlineData(1, 0)] // PNG colour type 0: greyscale
    [InlineData(3, 2)] // PNG colour type 2: RGB, no alpha
    public void SaveWritesGreyOrRgbPngAndLoadReadsItBack(int channels, byte pngColourType)
    {
        using var folder = new TempFolder();
        using var image = torch.rand(channels, 6, 9);
        string path = folder.File("sub", "x.png");

        PngImage.Save(image, path);
        var bytes = File.ReadAllBytes(path);
        using var loaded = PngImage.Load(path);

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(pngColourType, bytes[25]); // IHDR: 8 signature + 8 chunk header + 4 width + 4 height + 1 bit depth
        Assert.Equal(new long[] { channels, 6, 9 }, loaded.shape);
        DataAssert.Close(image, loaded);
        DataAssert.OnByteGrid(loaded);
    }

    [Fact]
    public void SaveRejectsTensorsThatAreNotChw()
    {
        using var folder = new TempFolder();
        using var batch = torch.rand(1, 3, 4, 4);
        using var twoChannels = torch.rand(2, 4, 4);

        Assert.Throws<ArgumentException>(() => PngImage.Save(batch, folder.File("a.png")));
        Assert.Throws<ArgumentException>(() => PngImage.Save(twoChannels, folder.File("b.png")));
    }

    [Fact]
    public void LoadOfMissingFileNamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "dipdefense-no-such-" + Guid.NewGuid().ToString("N") + ".png");

        var e = Assert.Throws<FileNotFoundException>(() => PngImage.Load(path));

        Assert.Contains(path, e.Message);
    }
}
