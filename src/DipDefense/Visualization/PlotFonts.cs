using SkiaSharp;

namespace DipDefense.Visualization;

/// <summary>The typeface of the text in the pictures: the first installed of a few common sans-serif families.</summary>
internal static class PlotFonts
{
    static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI"];

    /// <summary>The family name used, or null when none of the families is installed.</summary>
    public static string? SansFamily { get; } = SansFamilies.FirstOrDefault(f => SKFontManager.Default.MatchFamily(f) is { } t && Matches(t, f));

    /// <summary>A new typeface of <see cref="SansFamily"/> (SkiaSharp's default when none is installed); the caller disposes it.</summary>
    public static SKTypeface Sans() =>
        (SansFamily is { } family ? SKFontManager.Default.MatchFamily(family) : null) ?? SKTypeface.CreateDefault();

    static bool Matches(SKTypeface typeface, string family)
    {
        using (typeface)
            return string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase);
    }
}
