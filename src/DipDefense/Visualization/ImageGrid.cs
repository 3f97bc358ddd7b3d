using DipDefense.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Visualization;

/// <summary>
/// Writes a grid of images as one PNG: rows of cells, each an image upscaled by an integer factor (nearest
/// neighbour, so 28×28 or 32×32 pixels stay visible and exact) with an optional caption under it, plus optional
/// column and row titles. The typical use is one row per example with the columns clean | adversarial | purified
/// and the victim's prediction as caption.
/// </summary>
/// <remarks>
/// Pixels are quantised as <see cref="PngImage"/> quantises them (round(x·255)); grey images are drawn as grey.
/// Text uses the first installed of DejaVu Sans, Liberation Sans, Arial, Helvetica and Segoe UI; on a machine
/// without any font the text is left out but the images are still drawn.
/// </remarks>
public static class ImageGrid
{
    /// <summary>Draws <paramref name="rows"/> and saves the picture as a PNG file (its folder is created when needed).</summary>
    /// <param name="rows">At least one row; every row has the same number (≥ 1) of cells; every image has the same H × W.</param>
    /// <param name="path">The PNG file to write (overwritten).</param>
    /// <param name="options">Scale, gaps, titles and text size; null uses the defaults.</param>
    /// <returns>Where the images were put.</returns>
    /// <exception cref="ArgumentException">The rows are empty or ragged, an image is not float32 <c>[1 or 3, H, W]</c> in [0, 1] of the common size, or the titles do not match the rows or columns.</exception>
    public static ImageGridLayout Save(IReadOnlyList<IReadOnlyList<ImageGridCell>> rows, string path, ImageGridOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ImageGridOptions();
        options.Validate(nameof(options));
        var (height, width) = CheckCells(rows);
        CheckTitles(options.ColumnTitles, rows[0].Count, "ColumnTitles", "columns");
        CheckTitles(options.RowTitles, rows.Count, "RowTitles", "rows");

        using var typeface = PlotFonts.Sans();
        using var font = new SKFont(typeface, options.FontSize);
        var layout = Arrange(rows, height, width, options, font);

        using var bitmap = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            DrawImages(canvas, rows, layout);
            DrawText(canvas, rows, layout, options, font);
        }
        PngImage.Write(bitmap, path);
        return layout;
    }

    /// <summary>
    /// Draws image batches side by side, one batch per column (row r shows image r of every batch), and saves the
    /// picture as a PNG file.
    /// </summary>
    /// <param name="columns">At least one batch float32 <c>[N, C, H, W]</c> in [0, 1] (C = 1 or 3), all with the same N ≥ 1, H and W.</param>
    /// <param name="path">The PNG file to write (overwritten).</param>
    /// <param name="captions">Captions indexed [row][column] (null entries for none); null for no captions. Must have N rows of one entry per column.</param>
    /// <param name="options">Scale, gaps, titles and text size; null uses the defaults.</param>
    /// <returns>Where the images were put.</returns>
    /// <exception cref="ArgumentException">A batch has the wrong rank or a different N, or the captions do not match.</exception>
    public static ImageGridLayout SaveColumns(IReadOnlyList<Tensor> columns, string path,
        IReadOnlyList<IReadOnlyList<string?>>? captions = null, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
            throw new ArgumentException("columns must hold at least one image batch [N, C, H, W].", nameof(columns));
        for (int c = 0; c < columns.Count; c++)
        {
            if (columns[c] is not { } batch || batch.dim() != 4)
                throw new ArgumentException(
                    $"columns[{c}] must be an image batch [N, C, H, W]; got {(columns[c] is null ? "null" : $"[{string.Join(", ", columns[c].shape)}]")}.", nameof(columns));
            if (batch.shape[0] != columns[0].shape[0])
                throw new ArgumentException($"columns[{c}] holds {batch.shape[0]} images but columns[0] holds {columns[0].shape[0]}; every column needs one image per row.", nameof(columns));
        }
        int count = (int)columns[0].shape[0];
        if (count == 0)
            throw new ArgumentException("columns must hold at least one image each; got N = 0.", nameof(columns));
        if (captions is not null)
        {
            if (captions.Count != count)
                throw new ArgumentException($"captions has {captions.Count} rows but the columns hold {count} images; give one row of captions per image.", nameof(captions));
            for (int r = 0; r < count; r++)
                if (captions[r] is null || captions[r].Count != columns.Count)
                    throw new ArgumentException($"captions[{r}] must hold one caption (or null) per column ({columns.Count}); got {captions[r]?.Count.ToString() ?? "null"}.", nameof(captions));
        }

        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, count)
            .Select(r => (IReadOnlyList<ImageGridCell>)columns.Select((batch, c) => new ImageGridCell(batch[r], captions?[r][c])).ToArray())
            .ToArray();
        return Save(rows, path, options);
    }

    /// <summary>Checks the cells; returns the common image height and width.</summary>
    static (int Height, int Width) CheckCells(IReadOnlyList<IReadOnlyList<ImageGridCell>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("rows must hold at least one row of cells.", nameof(rows));
        int columns = rows[0]?.Count ?? 0;
        if (columns == 0)
            throw new ArgumentException("rows[0] must hold at least one cell.", nameof(rows));
        long height = 0, width = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r] is null || rows[r].Count != columns)
                throw new ArgumentException(
                    $"rows[{r}] has {rows[r]?.Count.ToString() ?? "no"} cells but rows[0] has {columns}; every row must have the same number of cells.", nameof(rows));
            for (int c = 0; c < columns; c++)
            {
                string name = $"rows[{r}][{c}].Image";
                var image = rows[r][c]?.Image ?? throw new ArgumentException($"{name} is null.", nameof(rows));
                if (image.dtype != ScalarType.Float32 || image.dim() != 3 || image.shape[0] is not (1 or 3) || image.shape[1] < 1 || image.shape[2] < 1)
                    throw new ArgumentException(
                        $"{name} must be a float32 tensor [C, H, W] with C = 1 or 3; got {image.dtype} [{string.Join(", ", image.shape)}].", nameof(rows));
                if (r == 0 && c == 0)
                    (height, width) = (image.shape[1], image.shape[2]);
                else if (image.shape[1] != height || image.shape[2] != width)
                    throw new ArgumentException(
                        $"{name} is {image.shape[1]}×{image.shape[2]} but rows[0][0].Image is {height}×{width}; every image of a grid must have the same size.", nameof(rows));
                CheckRange(image, name);
            }
        }
        if (height * width > 4096 * 4096)
            throw new ArgumentException($"images of {height}×{width} are too large for a grid.", nameof(rows));
        return ((int)height, (int)width);
    }

    static void CheckRange(Tensor image, string name)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double min = image.min().item<float>(), max = image.max().item<float>();
        if (!(min >= 0 && max <= 1))
            throw new ArgumentException($"{name} must lie in [0, 1]; found [{min}, {max}].", "rows");
    }

    static void CheckTitles(IReadOnlyList<string>? titles, int count, string name, string what)
    {
        if (titles is not null && titles.Count != count)
            throw new ArgumentException($"Invalid ImageGridOptions: {name} has {titles.Count} titles for {count} {what}.", "options");
    }

    static ImageGridLayout Arrange(IReadOnlyList<IReadOnlyList<ImageGridCell>> rows, int height, int width, ImageGridOptions options, SKFont font)
    {
        int columns = rows[0].Count, gap = options.Gap;
        int scale = options.Scale ?? Math.Max(1, (ImageGridOptions.AutoScaleTarget + Math.Max(height, width) - 1) / Math.Max(height, width));
        int imageWidth = width * scale, imageHeight = height * scale;
        int lineHeight = (int)Math.Ceiling(font.Spacing);
        int TextWidth(string? text) => text is null ? 0 : (int)Math.Ceiling(SkiaText.Width(font, text));

        bool hasCaptions = rows.Any(row => row.Any(cell => cell.Caption is not null));
        int captionBand = hasCaptions ? lineHeight + gap / 2 : 0;
        int header = options.ColumnTitles is null ? 0 : lineHeight + gap / 2;
        int rowTitleWidth = options.RowTitles is null ? 0 : options.RowTitles.Max(TextWidth) + gap;

        var columnWidths = Enumerable.Range(0, columns).Select(c => Math.Max(
            Math.Max(imageWidth, TextWidth(options.ColumnTitles?[c])),
            rows.Max(row => TextWidth(row[c].Caption)))).ToArray();
        var imageLefts = new int[columns];
        int x = gap + rowTitleWidth;
        for (int c = 0; c < columns; c++)
        {
            imageLefts[c] = x + (columnWidths[c] - imageWidth) / 2;
            x += columnWidths[c] + gap;
        }
        int rowHeight = imageHeight + captionBand;
        var imageTops = Enumerable.Range(0, rows.Count).Select(r => gap + header + r * (rowHeight + gap)).ToArray();
        int totalHeight = gap + header + rows.Count * (rowHeight + gap);
        return new ImageGridLayout(x, totalHeight, scale, imageWidth, imageHeight, imageLefts, imageTops);
    }

    static void DrawImages(SKCanvas canvas, IReadOnlyList<IReadOnlyList<ImageGridCell>> rows, ImageGridLayout layout)
    {
        using var nearest = new SKPaint { FilterQuality = SKFilterQuality.None };
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
            {
                using var image = ToSkImage(rows[r][c].Image);
                var target = SKRect.Create(layout.ImageLeft(c), layout.ImageTop(r), layout.ImageWidth, layout.ImageHeight);
                canvas.DrawImage(image, target, nearest);
            }
    }

    /// <summary>An opaque RGBA image of <c>[C, H, W]</c> (grey replicated to R, G and B).</summary>
    static SKImage ToSkImage(Tensor chw)
    {
        var planar = PixelConversion.ToBytes(chw);
        int channels = (int)chw.shape[0], height = (int)chw.shape[1], width = (int)chw.shape[2], plane = height * width;
        var rgba = new byte[4 * plane];
        for (int p = 0; p < plane; p++)
        {
            for (int k = 0; k < 3; k++)
                rgba[4 * p + k] = planar[(channels == 1 ? 0 : k * plane) + p];
            rgba[4 * p + 3] = byte.MaxValue;
        }
        return SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba)
            ?? throw new InvalidOperationException($"could not create a {width}×{height} image.");
    }

    static void DrawText(SKCanvas canvas, IReadOnlyList<IReadOnlyList<ImageGridCell>> rows, ImageGridLayout layout, ImageGridOptions options, SKFont font)
    {
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        float ascent = -font.Metrics.Ascent, gap = options.Gap;
        float CenterOf(int column) => layout.ImageLeft(column) + layout.ImageWidth / 2f;

        if (options.ColumnTitles is { } titles)
            for (int c = 0; c < titles.Count; c++)
                SkiaText.Draw(canvas, titles[c], CenterOf(c), gap + ascent, SKTextAlign.Center, font, paint);
        if (options.RowTitles is { } rowTitles)
            for (int r = 0; r < rowTitles.Count; r++)
                SkiaText.Draw(canvas, rowTitles[r], layout.ImageLeft(0) - gap, layout.ImageTop(r) + layout.ImageHeight / 2f + ascent / 2,
                    SKTextAlign.Right, font, paint);
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
                if (rows[r][c].Caption is { } caption)
                    SkiaText.Draw(canvas, caption, CenterOf(c), layout.ImageTop(r) + layout.ImageHeight + gap / 2 + ascent, SKTextAlign.Center, font, paint);
    }
}
