namespace DipDefense.Data;

/// <summary>Reads and writes class-name files (one name a line) and checks labels against the names.</summary>
internal static class ClassNameFile
{
    /// <summary>The usual name of a class-name file (idx, image folder).</summary>
    public const string DefaultFileName = "classes.txt";

    /// <summary>The non-empty, trimmed lines of <paramref name="path"/>, or null when the file does not exist.</summary>
    public static IReadOnlyList<string>? TryRead(string path)
    {
        if (!File.Exists(path))
            return null;
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    /// <summary>Writes <paramref name="names"/> to <paramref name="path"/> unless a file already exists there.</summary>
    public static void WriteIfAbsent(string path, IReadOnlyList<string> names)
    {
        if (File.Exists(path))
            return;
        AtomicFile.WriteAllText(path, string.Concat(names.Select(name => name + Environment.NewLine)));
    }

    /// <summary>Throws when a label does not index into <paramref name="names"/>.</summary>
    /// <param name="names">The class names.</param>
    /// <param name="maxLabel">The largest label in the data (-1 when there is none).</param>
    /// <param name="namesSource">Where the names came from, for the message.</param>
    /// <param name="dataPath">The data file, for the message.</param>
    public static void CheckCovers(IReadOnlyList<string> names, long maxLabel, string namesSource, string dataPath)
    {
        if (maxLabel >= names.Count)
            throw new InvalidDataException(
                $"'{dataPath}' has label {maxLabel} but {namesSource} names only {names.Count} classes.");
    }
}
