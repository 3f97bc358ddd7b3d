using SkiaSharp;

namespace DipDefense.Visualization;

/// <summary>Measures and draws aligned text with SkiaSharp 2.88's API (its <see cref="SKFont"/> measures glyphs only).</summary>
internal static class SkiaText
{
    /// <summary>The advance width of <paramref name="text"/> in <paramref name="font"/>, in pixels.</summary>
    public static float Width(SKFont font, string text)
    {
        Span<ushort> glyphs = new ushort[font.CountGlyphs(text)];
        font.GetGlyphs(text, glyphs);
        return font.MeasureText(glyphs);
    }

    /// <summary>Draws <paramref name="text"/> with its baseline at <paramref name="y"/>, aligned on <paramref name="x"/>.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, SKTextAlign align, SKFont font, SKPaint paint)
    {
        float left = align switch
        {
            SKTextAlign.Center => x - Width(font, text) / 2,
            SKTextAlign.Right => x - Width(font, text),
            _ => x,
        };
        canvas.DrawText(text, left, y, font, paint);
    }
}
