using DipDefense.Data;

namespace DipDefense.Tests.Data;

public class ImageFolderFormatTests
{
    static readonly string[] Names = ["bird", "cat", "dog"];

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void RoundTripKeepsPixelsChannelsLabelsAndClassNames(int channels)
    {
        using var folder = new TempFolder();
        using var original = DataAssert.Random(9, channels, 5, 7, Names);
        var labels = DataAssert.Labels(original);

        DatasetWriter.Write(original, folder.Path, DatasetFormat.ImageFolder);
        for (int i = 0; i < labels.Length; i++)
            Assert.True(File.Exists(folder.File(Names[labels[i]], $"{i:D5}.png")), $"image {i} missing");

        Assert.Equal(DatasetFormat.ImageFolder, DatasetReader.DetectFormat(folder.Path));
        using var read = DatasetReader.Read(folder.Path);

        // The folder groups images by class; within a class they keep their order.
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => labels[i]).Select(i => (long)i).ToArray();
        using var index = torch.tensor(order);
        using var expected = original.Images.index_select(0, index);
        Assert.Equal(new long[] { 9, channels, 5, 7 }, read.Images.shape);
        DataAssert.Close(expected, read.Images);
        DataAssert.OnByteGrid(read.Images);
        Assert.Equal(order.Select(i => labels[i]), DataAssert.Labels(read));
        Assert.Equal(Names, read.ClassNames);
    }

    [Fact]
    public void ListFilesGivesEveryFileWithItsLabelInReadOrder()
    {
        using var folder = new TempFolder();
        string[] names = ["T-shirt/top", "empty", "Ankle boot"];
        using var original = new ImageDataset(torch.rand(5, 1, 4, 6), torch.tensor(new long[] { 2, 0, 2, 0, 0 }), names);
        ImageFolderFormat.Write(original, folder.Path);

        var listing = ImageFolderFormat.ListFiles(folder.Path);
        using var read = ImageFolderFormat.Read(folder.Path);

        Assert.Equal(names, listing.ClassNames);
        Assert.Equal(
            [folder.File("T-shirt_top", "00001.png"), folder.File("T-shirt_top", "00003.png"), folder.File("T-shirt_top", "00004.png"),
             folder.File("Ankle boot", "00000.png"), folder.File("Ankle boot", "00002.png")],
            listing.Files);
        Assert.Equal(DataAssert.Labels(read), listing.Labels);
        for (int i = 0; i < listing.Files.Count; i++)
        {
            using var image = PngImage.Load(listing.Files[i]);
            using var row = read.Images[i];
            DataAssert.Close(image, row);
        }
    }

    [Fact]
    public void ListFilesOfAFolderWithoutImagesFailsClearly()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("cat"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderFormat.ListFiles(folder.Path));
        Assert.Contains("holds no PNG/JPEG images", error.Message);
    }

    [Fact]
    public void EmptyClassesKeepTheirFolderAndLabel()
    {
        using var folder = new TempFolder();
        using var data = new ImageDataset(torch.rand(2, 3, 4, 4), torch.tensor(new long[] { 2, 2 }), Names);

        ImageFolderFormat.Write(data, folder.Path);
        using var read = ImageFolderFormat.Read(folder.Path);

        Assert.Equal(Names, read.ClassNames);
        Assert.Equal(new long[] { 2, 2 }, DataAssert.Labels(read));
    }

    [Fact]
    public void GreyAndColourImagesMixToRgbWithGreyReplicated()
    {
        using var folder = new TempFolder();
        using var grey = torch.rand(1, 4, 4);
        using var colour = torch.rand(3, 4, 4);
        PngImage.Save(grey, folder.File("a", "1.png"));
        PngImage.Save(colour, folder.File("b", "1.PNG"));

        using var read = DatasetReader.Read(folder.Path);

        Assert.Equal(new long[] { 2, 3, 4, 4 }, read.Images.shape);
        using var greyAsRgb = grey.expand(3, 4, 4);
        DataAssert.Close(greyAsRgb, read.Images[0]);
        DataAssert.Close(colour, read.Images[1]);
        Assert.Equal(["a", "b"], read.ClassNames);
    }

    [Fact]
    public void JpegFilesAreRead()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("only"));
        using (var bitmap = new SkiaSharp.SKBitmap(6, 6))
        {
            bitmap.Erase(new SkiaSharp.SKColor(200, 100, 50));
            using var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 95);
            File.WriteAllBytes(folder.File("only", "x.jpeg"), jpeg.ToArray());
        }

        using var read = DatasetReader.Read(folder.Path);

        Assert.Equal(new long[] { 1, 3, 6, 6 }, read.Images.shape);
        Assert.InRange(read.Images[0, 0, 3, 3].item<float>() * 255, 190, 210);
        Assert.InRange(read.Images[0, 1, 3, 3].item<float>() * 255, 90, 110);
        Assert.InRange(read.Images[0, 2, 3, 3].item<float>() * 255, 40, 60);
    }

    [Fact]
    public void ImagesOfDifferentSizesAreRejectedNamingFileAndSizes()
    {
        using var folder = new TempFolder();
        using var small = torch.rand(3, 4, 5);
        using var large = torch.rand(3, 6, 5);
        PngImage.Save(small, folder.File("a", "1.png"));
        PngImage.Save(large, folder.File("b", "2.png"));

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(folder.Path));

        Assert.Contains(folder.File("b", "2.png"), e.Message);
        Assert.Contains("5x6", e.Message);
        Assert.Contains("5x4", e.Message);
    }

    [Fact]
    public void UndecodableFileIsRejectedNamingIt()
    {
        using var folder = new TempFolder();
        using var image = torch.rand(3, 4, 4);
        PngImage.Save(image, folder.File("a", "1.png"));
        Directory.CreateDirectory(folder.File("b"));
        File.WriteAllText(folder.File("b", "broken.png"), "this is not a PNG");

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(folder.Path));

        Assert.Contains(folder.File("b", "broken.png"), e.Message);
    }

    [Fact]
    public void ClassNamesThatAreNotFolderSafeAreSanitised()
    {
        using var folder = new TempFolder();
        using var data = new ImageDataset(torch.rand(1, 1, 3, 3), torch.tensor(new long[] { 0 }), ["T-shirt/top", "Trouser"]);

        ImageFolderFormat.Write(data, folder.Path);

        Assert.True(File.Exists(folder.File("T-shirt_top", "00000.png")));
        Assert.True(Directory.Exists(folder.File("Trouser")));
    }

    [Fact]
    public void RoundTripKeepsLabelsAndNamesOfClassesNotInOrdinalOrder()
    {
        // Fashion-MNIST order: ordinal folder order would make "Ankle boot" label 0 and lose "T-shirt/top".
        string[] names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        using var folder = new TempFolder();
        var labels = new long[] { 9, 0, 3, 0, 8, 2, 5, 1, 7, 4, 6, 9 };
        using var original = new ImageDataset(torch.rand(labels.Length, 1, 4, 4), torch.tensor(labels), names);

        DatasetWriter.Write(original, folder.Path, DatasetFormat.ImageFolder);
        Assert.Equal(names, File.ReadAllLines(folder.File(ImageFolderFormat.ClassNamesFileName)));
        using var read = DatasetReader.Read(folder.Path);

        Assert.Equal(names, read.ClassNames);
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => labels[i]).Select(i => (long)i).ToArray();
        Assert.Equal(order.Select(i => labels[i]), DataAssert.Labels(read));
        using var index = torch.tensor(order);
        using var expected = original.Images.index_select(0, index);
        DataAssert.Close(expected, read.Images);
    }

    [Fact]
    public void ClassesFileDefinesLabelOrderOfAHandMadeFolder()
    {
        using var folder = new TempFolder();
        using var zebra = torch.zeros(1, 3, 3);
        using var apple = torch.ones(1, 3, 3);
        PngImage.Save(zebra, folder.File("zebra", "1.png"));
        PngImage.Save(apple, folder.File("apple", "1.png"));
        File.WriteAllLines(folder.File(ImageFolderFormat.ClassNamesFileName), ["zebra", "empty class", "apple"]);

        using var read = ImageFolderFormat.Read(folder.Path);

        Assert.Equal(["zebra", "empty class", "apple"], read.ClassNames);
        Assert.Equal(new long[] { 0, 2 }, DataAssert.Labels(read));
        DataAssert.Close(zebra, read.Images[0]);
        DataAssert.Close(apple, read.Images[1]);
    }

    [Fact]
    public void FolderWithImagesNotListedInClassesFileIsRejectedNamingIt()
    {
        using var folder = new TempFolder();
        using var image = torch.rand(1, 3, 3);
        PngImage.Save(image, folder.File("cat", "1.png"));
        PngImage.Save(image, folder.File("stray", "1.png"));
        Directory.CreateDirectory(folder.File("no images"));
        File.WriteAllLines(folder.File(ImageFolderFormat.ClassNamesFileName), ["cat", "dog"]);

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(folder.Path));

        Assert.Contains(folder.File("stray"), e.Message);
        Assert.Contains(ImageFolderFormat.ClassNamesFileName, e.Message);
        Assert.DoesNotContain("no images", e.Message);
    }

    [Fact]
    public void WriteRefusesAClassesFileListingOtherClasses()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder.File(ImageFolderFormat.ClassNamesFileName), ["dog", "cat", "bird"]);
        using var data = DataAssert.Random(3, 3, 4, 4, Names);

        var e = Assert.Throws<IOException>(() => ImageFolderFormat.Write(data, folder.Path));

        Assert.Contains(ImageFolderFormat.ClassNamesFileName, e.Message);
        Assert.False(Directory.Exists(folder.File("bird")));
    }

    [Fact]
    public void WriteRefusesToMixWithExistingImages()
    {
        using var folder = new TempFolder();
        using var data = DataAssert.Random(3, 3, 4, 4, Names);
        ImageFolderFormat.Write(data, folder.Path);

        Assert.Throws<IOException>(() => ImageFolderFormat.Write(data, folder.Path));
    }
}
