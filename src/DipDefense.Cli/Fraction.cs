using System.Globalization;

namespace DipDefense.Cli;

/// <summary>Parses numbers given as decimals or fractions ("0.03", "8/255").</summary>
internal static class Fraction
{
    public static double Parse(string text, string option)
    {
        var parts = text.Split('/');
        bool ok = parts.Length switch
        {
            1 => double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            2 => double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d != 0,
            _ => false,
        };
        if (!ok)
            throw new ArgumentException($"{option} must be a number or a fraction such as 8/255; got '{text}'.");
        double value = double.Parse(parts[0], CultureInfo.InvariantCulture);
        return parts.Length == 2 ? value / double.Parse(parts[1], CultureInfo.InvariantCulture) : value;
    }

    /// <summary>
    /// Parses an L∞ budget: pixels are in [0, 1], so a budget must lie there too. "8" for 8/255 would otherwise be a
    /// budget of eight whole pixel ranges, an attack without constraint that runs and reports without complaint.
    /// </summary>
    public static double ParseBudget(string text, string option)
    {
        double value = Parse(text, option);
        if (!(value >= 0 && value <= 1))
            throw new ArgumentException($"{option}: an L∞ budget is on the pixels' [0, 1] scale and must lie in [0, 1]; got '{text}' (for 8 of 255 levels write 8/255).");
        return value;
    }
}
