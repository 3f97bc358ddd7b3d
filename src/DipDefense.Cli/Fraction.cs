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
}
