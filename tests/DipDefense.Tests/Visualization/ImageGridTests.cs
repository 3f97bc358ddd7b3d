using DipDefense.Tests.Infrastructure;
using DipDefense.Visualization;
using SkiaSharp;

namespace DipDefense.Tests.Visualization;

public sealed class ImageGridTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    string PathOf(string name) => Path.Combine(_dir.Path, name);

    /// <summary>An image [C, H, W] of distinct 8-bit values (exact multiples of 1/255), different for every seed.</summary>
    static Tensor Image(int channels, int height, int width, int seed) =>
        arange(channels * height * width, ScalarType.Float32).mul_(7).add_(seed * 31).remainder_(256).div_(255).reshape(channels, height, width);

    /// <summary>Asserts that the picture shows <paramref name="image"/> upscaled at the layout's cell (row, column).</summary>
    static void AssertCell(PngPixels png, ImageGridLayout layout, int row, int column, Tensor image)
    {
        var bytes = image.mul(255).round().to(ScalarType.Byte).contiguous().data<byte>().ToArray();
        int channels = (int)image.shape[0], height = (int)image.shape[1], width = (int)image.shape[2], plane = height * width;
        for (int y = 0; y < height * layout.Scale; y++)
            for (int x = 0; x < width * layout.Scale; x++)
            {
                int p = (y / layout.Scale) * width + x / layout.Scale;
                var expected = channels == 1
                    ? new SKColor(bytes[p], bytes[p], bytes[p])
                    : new SKColor(bytes[p], bytes[plane + p], bytes[2 * plane + p]);
                var actual = png[layout.ImageLeft(column) + x, layout.ImageTop(row) + y];
                Assert.True(expected == actual, $"cell ({row}, {column}) pixel ({x}, {y}): expected {expected}, got {actual}");
            }
    }

    [Fact]
    public void CellsHoldTheGivenPixelsUpscaledAndTheGapsStayWhite()
    {
        var images = new[,]
        {
            { Image(1, 5, 4, 1), Image(3, 5, 4, 2), Image(1, 5, 4, 3) },
            { Image(3, 5, 4, 4), Image(1, 5, 4, 5), Image(3, 5, 4, 6) },
        };
        var rows = Enumerable.Range(0, 2)
            .Select(r => (IReadOnlyList<ImageGridCell>)Enumerable.Range(0, 3).Select(c => new ImageGridCell(images[r, c])).ToArray())
            .ToArray();
        string path = PathOf("grid.png");

        var layout = ImageGrid.Save(rows, path, new ImageGridOptions { Scale = 3, Gap = 5 });

        Assert.Equal((3, 12, 15), (layout.Scale, layout.ImageWidth, layout.ImageHeight));
        Assert.Equal(5 + 3 * (12 + 5), layout.Width);
        Assert.Equal(5 + 2 * (15 + 5), layout.Height);
        using var png = new PngPixels(path);
        Assert.Equal((layout.Width, layout.Height), (png.Width, png.Height));
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                AssertCell(png, layout, r, c, images[r, c]);
        Assert.Equal(SKColors.White, png[layout.ImageLeft(1) - 1, layout.ImageTop(1)]);
        Assert.Equal(SKColors.White, png[layout.ImageLeft(0), layout.ImageTop(1) - 1]);
    }

    [Fact]
    public void SmallImagesAreUpscaledAutomaticallyAndCaptionsAndTitlesAddText()
    {
        using var clean = Image(1, 28, 28, 1);
        using var adversarial = Image(1, 28, 28, 2);
        var rows = new[] { new[] { new ImageGridCell(clean, "Trouser"), new ImageGridCell(adversarial, "Bag") } };
        string plain = PathOf("plain.png"), captioned = PathOf("captioned.png");

        var plainLayout = ImageGrid.Save([[new ImageGridCell(clean), new ImageGridCell(adversarial)]], plain);
        var layout = ImageGrid.Save(rows, captioned, new ImageGridOptions { ColumnTitles = ["clean", "adversarial"], RowTitles = ["#1"] });

        Assert.Equal(4, layout.Scale); // 28 px → 112 px
        Assert.Equal(112, layout.ImageWidth);
        Assert.True(layout.Height > plainLayout.Height && layout.Width > plainLayout.Width);
        using var png = new PngPixels(captioned);
        Assert.Equal((layout.Width, layout.Height), (png.Width, png.Height));
        AssertCell(png, layout, 0, 0, clean);
        AssertCell(png, layout, 0, 1, adversarial);
        if (SKFontManager.Default.FontFamilyCount > 0)
        {
            int below = layout.ImageTop(0) + layout.ImageHeight + 1, dark = 0;
            for (int y = below; y < layout.Height; y++)
                for (int x = layout.ImageLeft(0); x < layout.ImageLeft(0) + layout.ImageWidth; x++)
                    if (png[x, y].Red < 128) dark++;
            Assert.True(dark > 10, "no caption text was drawn under the first image");
        }
    }

    [Fact]
    public void SaveColumnsShowsImageROfEveryBatchInRowR()
    {
        using var clean = stack(new[] { Image(3, 6, 6, 1), Image(3, 6, 6, 2) });
        using var adversarial = stack(new[] { Image(3, 6, 6, 3), Image(3, 6, 6, 4) });
        using var purified = stack(new[] { Image(3, 6, 6, 5), Image(3, 6, 6, 6) });
        string path = PathOf("columns.png");

        var layout = ImageGrid.SaveColumns([clean, adversarial, purified], path,
            [["Coat", "Shirt", "Coat"], ["Bag", null, "Bag"]], new ImageGridOptions { ColumnTitles = ["clean", "adversarial", "purified"] });

        Assert.Equal((2, 3), (layout.Rows, layout.Columns));
        using var png = new PngPixels(path);
        var batches = new[] { clean, adversarial, purified };
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                AssertCell(png, layout, r, c, batches[c][r]);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        using var a = Image(1, 4, 4, 1);
        using var b = Image(1, 5, 4, 1);
        using var flat = zeros(4, 4);
        using var twoChannels = zeros(2, 4, 4);
        using var bright = full([1, 4, 4], 1.5f);
        string path = PathOf("bad.png");
        string Error(Action action) => Assert.Throws<ArgumentException>(action).Message;

        Assert.Contains("at least one row", Error(() => ImageGrid.Save([], path)));
        Assert.Contains("at least one cell", Error(() => ImageGrid.Save([[]], path)));
        Assert.Contains("rows[1] has 1 cells but rows[0] has 2", Error(() => ImageGrid.Save([[new(a), new(a)], [new(a)]], path)));
        Assert.Contains("rows[0][1].Image must be a float32 tensor [C, H, W]", Error(() => ImageGrid.Save([[new(a), new(flat)]], path)));
        Assert.Contains("C = 1 or 3", Error(() => ImageGrid.Save([[new(twoChannels)]], path)));
        Assert.Contains("same size", Error(() => ImageGrid.Save([[new(a)], [new(b)]], path)));
        Assert.Contains("[0, 1]", Error(() => ImageGrid.Save([[new(bright)]], path)));
        Assert.Contains("ColumnTitles has 1 titles for 2 columns",
            Error(() => ImageGrid.Save([[new(a), new(a)]], path, new ImageGridOptions { ColumnTitles = ["x"] })));
        Assert.Contains("Scale", Error(() => ImageGrid.Save([[new(a)]], path, new ImageGridOptions { Scale = 0 })));

        using var batch2 = stack(new[] { a, a });
        using var batch1 = a.unsqueeze(0);
        using var empty = zeros(0, 1, 4, 4);
        Assert.Contains("at least one image batch", Error(() => ImageGrid.SaveColumns([], path)));
        Assert.Contains("columns[1] holds 1 images but columns[0] holds 2", Error(() => ImageGrid.SaveColumns([batch2, batch1], path)));
        Assert.Contains("columns[0] must be an image batch [N, C, H, W]", Error(() => ImageGrid.SaveColumns([a], path)));
        Assert.Contains("N = 0", Error(() => ImageGrid.SaveColumns([empty], path)));
        Assert.Contains("captions has 1 rows", Error(() => ImageGrid.SaveColumns([batch2], path, [["x"]])));
        Assert.Contains("captions[1] must hold one caption", Error(() => ImageGrid.SaveColumns([batch2], path, [["x"], ["y", "z"]])));
        Assert.False(File.Exists(path));
    }
}
