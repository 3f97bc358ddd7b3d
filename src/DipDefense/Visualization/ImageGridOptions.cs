namespace DipDefense.Visualization;

/// <summary>Layout settings of <see cref="ImageGrid"/>.</summary>
public sealed record ImageGridOptions
{
    /// <summary>The side the longer image side is upscaled to at least, when <see cref="Scale"/> is null. 112 pixels.</summary>
    public const int AutoScaleTarget = 112;

    /// <summary>
    /// Integer upscaling factor of every image (nearest neighbour, so pixels stay sharp). Null (the default) picks
    /// the smallest factor that makes the longer image side at least <see cref="AutoScaleTarget"/> pixels
    /// (4 for 28×28 and 32×32 images), and 1 for larger images.
    /// </summary>
    public int? Scale { get; init; }

    /// <summary>Pixels between cells and around the grid. Default 8.</summary>
    public int Gap { get; init; } = 8;

    /// <summary>Titles above the columns (for example "clean", "adversarial", "purified"); null for none. Must have one per column.</summary>
    public IReadOnlyList<string>? ColumnTitles { get; init; }

    /// <summary>Titles left of the rows; null for none. Must have one per row.</summary>
    public IReadOnlyList<string>? RowTitles { get; init; }

    /// <summary>Text size of titles and captions in pixels. Default 14.</summary>
    public float FontSize { get; init; } = 14;

    /// <summary>Checks every setting.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        if (Scale is < 1 or > 64)
            throw new ArgumentException($"Invalid ImageGridOptions: Scale must lie in [1, 64] or be null; got {Scale}.", paramName);
        if (Gap is < 0 or > 256)
            throw new ArgumentException($"Invalid ImageGridOptions: Gap must lie in [0, 256]; got {Gap}.", paramName);
        if (!(FontSize >= 4 && FontSize <= 128))
            throw new ArgumentException($"Invalid ImageGridOptions: FontSize must lie in [4, 128]; got {FontSize}.", paramName);
    }
}
