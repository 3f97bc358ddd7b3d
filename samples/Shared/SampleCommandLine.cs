using System.Globalization;

/// <summary>
/// A sample's command line: options of the form <c>--name value [value ...]</c>, checked against the names the sample
/// knows. Values run up to the next token that starts with <c>--</c>.
/// </summary>
sealed class SampleCommandLine
{
    readonly Dictionary<string, List<string>> values;

    SampleCommandLine(Dictionary<string, List<string>> values) => this.values = values;

    /// <summary>Reads <paramref name="args"/>; throws <see cref="ArgumentException"/> for an unknown option or one without a value.</summary>
    public static SampleCommandLine Parse(string[] args, IReadOnlyCollection<string> knownOptions)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (string arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (!knownOptions.Contains(arg))
                    throw new ArgumentException($"unknown option '{arg}'.");
                if (values.ContainsKey(arg))
                    throw new ArgumentException($"{arg} is given twice.");
                values[arg] = current = [];
            }
            else
                (current ?? throw new ArgumentException($"unexpected argument '{arg}'; options start with --.")).Add(arg);
        }
        foreach (var (name, list) in values)
            if (list.Count == 0)
                throw new ArgumentException($"{name} needs a value.");
        return new SampleCommandLine(values);
    }

    /// <summary>Whether <paramref name="name"/> was given.</summary>
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>The single value of <paramref name="name"/>, or <paramref name="fallback"/> when it was not given.</summary>
    public string? Text(string name, string? fallback = null) => values.TryGetValue(name, out var list) ? Single(name, list) : fallback;

    /// <summary>The value of <paramref name="name"/> as a positive integer, or <paramref name="fallback"/>.</summary>
    public int PositiveInt(string name, int fallback) => Integer(name, fallback, minimum: 1, "a positive integer");

    /// <summary>The value of <paramref name="name"/> as an integer ≥ 0, or <paramref name="fallback"/>.</summary>
    public int NonNegativeInt(string name, int fallback) => Integer(name, fallback, minimum: 0, "an integer ≥ 0");

    int Integer(string name, int fallback, int minimum, string what) =>
        Text(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum ? value
        : throw new ArgumentException($"{name} must be {what}; got '{text}'.");

    /// <summary>The values of <paramref name="name"/> as finite numbers (such as <c>--mean 0.49 0.48 0.45</c>), or null when it was not given.</summary>
    public float[]? Numbers(string name) =>
        values.TryGetValue(name, out var list)
            ? list.Select(text => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)
                ? value
                : throw new ArgumentException($"{name} takes numbers; got '{text}'.")).ToArray()
            : null;

    static string Single(string name, List<string> list) =>
        list.Count == 1 ? list[0] : throw new ArgumentException($"{name} takes one value; got {list.Count}: {string.Join(" ", list)}.");
}
