namespace DipDefense.Data;

/// <summary>
/// Writes a file so that no half-written file is ever left at its path: the content goes to a temporary file in the
/// same folder, which is renamed over the path only once it is complete (a rename within one folder replaces the file
/// in one step). If writing fails or is interrupted, the path keeps its previous content (or stays absent) and the
/// temporary file is removed where the process can still do so.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes the file at <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given (a new, empty file; do not close it).</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Create(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>
    /// Creates the file at <paramref name="path"/> with <paramref name="create"/>, which is given a temporary path beside
    /// it to create (for writers that open files by name, such as a database); the result is then renamed over
    /// <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="create">Creates the whole file at the path it is given and closes it.</param>
    public static void Create(string path, Action<string> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(create);
        string full = Path.GetFullPath(path);
        string temporary = TemporaryPathFor(full);
        try
        {
            create(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="bytes">The whole content.</param>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="text">The whole content.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
    }

    /// <summary>
    /// A fresh temporary name beside <paramref name="path"/>: hidden, named after it, ending in <c>.tmp</c>, so a
    /// leftover of a killed process is recognisable and never mistaken for the file.
    /// </summary>
    /// <param name="path">The full path of the file to be written.</param>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
}
