using SkiaSharp;

namespace DipDefense.Tests.Visualization;

/// <summary>Decodes a PNG written by the visualization code and reads its pixels.</summary>
public sealed class PngPixels : IDisposable
{
    readonly SKBitmap _bitmap;

    public PngPixels(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        _bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} does not decode as an image");
    }

    public int Width => _bitmap.Width;

    public int Height => _bitmap.Height;

    public SKColor this[int x, int y] => _bitmap.GetPixel(x, y);

    /// <summary>Pixels within <paramref name="tolerance"/> of <paramref name="hex"/> in every channel.</summary>
    public int Count(string hex, int tolerance = 12)
    {
        var target = SKColor.Parse(hex);
        int count = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                var p = _bitmap.GetPixel(x, y);
                if (Math.Abs(p.Red - target.Red) <= tolerance && Math.Abs(p.Green - target.Green) <= tolerance && Math.Abs(p.Blue - target.Blue) <= tolerance)
                    count++;
            }
        return count;
    }

    public void Dispose() => _bitmap.Dispose();
}
