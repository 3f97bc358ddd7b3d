namespace DipDefense.Visualization;

/// <summary>
/// Where <see cref="ImageGrid"/> put things: the picture's size and, for every cell, the rectangle of its
/// upscaled image (each source pixel (x, y) fills the <see cref="Scale"/>×<see cref="Scale"/> block at
/// (<see cref="ImageLeft"/>(column) + x·Scale, <see cref="ImageTop"/>(row) + y·Scale)).
/// </summary>
public sealed class ImageGridLayout
{
    readonly int[] imageLefts;
    readonly int[] imageTops;

    internal ImageGridLayout(int width, int height, int scale, int imageWidth, int imageHeight, int[] imageLefts, int[] imageTops)
    {
        Width = width;
        Height = height;
        Scale = scale;
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        this.imageLefts = imageLefts;
        this.imageTops = imageTops;
    }

    /// <summary>Width of the picture in pixels.</summary>
    public int Width { get; }

    /// <summary>Height of the picture in pixels.</summary>
    public int Height { get; }

    /// <summary>The upscaling factor used.</summary>
    public int Scale { get; }

    /// <summary>Width of every upscaled image (W·Scale).</summary>
    public int ImageWidth { get; }

    /// <summary>Height of every upscaled image (H·Scale).</summary>
    public int ImageHeight { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => imageTops.Length;

    /// <summary>Number of columns.</summary>
    public int Columns => imageLefts.Length;

    /// <summary>The x of the left edge of the images of column <paramref name="column"/>.</summary>
    public int ImageLeft(int column) => imageLefts[Check(column, Columns, nameof(column))];

    /// <summary>The y of the top edge of the images of row <paramref name="row"/>.</summary>
    public int ImageTop(int row) => imageTops[Check(row, Rows, nameof(row))];

    static int Check(int index, int count, string name)
    {
        if (index < 0 || index >= count)
            throw new ArgumentOutOfRangeException(name, index, $"{name} must lie in [0, {count}).");
        return index;
    }
}
