namespace DipDefense.Cli;

/// <summary>
/// Checks an output path before any work starts, so that a run that could not save its result fails at once with
/// exit code 2 and one line instead of after the work: the folder that will hold it exists and can be written, and
/// the path is not taken by something of the other kind (a folder where a file is expected, or a file where a folder
/// is). The files themselves are written atomically (<see cref="DipDefense.Data.AtomicFile"/>).
/// </summary>
internal static class OutputPath
{
    /// <summary>Checks that the file <paramref name="path"/> can be created or replaced; returns its full path.</summary>
    /// <param name="path">The file given on the command line.</param>
    /// <param name="option">The option that gave it, for the message (e.g. <c>--out</c>).</param>
    /// <exception cref="ArgumentException">It cannot be written; the message names the option, the path and why.</exception>
    public static string File(string path, string option)
    {
        string full = Full(path, option);
        if (Directory.Exists(full))
            throw new ArgumentException($"{option} '{path}' is a folder; give a file name.");
        CheckWritableFolder(Path.GetDirectoryName(full)!, path, option);
        return full;
    }

    /// <summary>
    /// Checks that the folder <paramref name="path"/> can be created (its parent exists and can be written) or, if it
    /// exists, written into; returns its full path.
    /// </summary>
    /// <param name="path">The folder given on the command line.</param>
    /// <param name="option">The option that gave it, for the message.</param>
    /// <exception cref="ArgumentException">It cannot be written; the message names the option, the path and why.</exception>
    public static string Folder(string path, string option)
    {
        string full = Full(path, option);
        if (System.IO.File.Exists(full))
            throw new ArgumentException($"{option} '{path}' is a file; give a folder.");
        CheckWritableFolder(Directory.Exists(full) ? full : Path.GetDirectoryName(full)!, path, option);
        return full;
    }

    static string Full(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"{option} must name a path; got '{path}'.");
        return Path.GetFullPath(path);
    }

    /// <summary>The folder exists and a file can be created in it (probed with a temporary file that is removed at once).</summary>
    static void CheckWritableFolder(string folder, string path, string option)
    {
        if (!Directory.Exists(folder))
            throw new ArgumentException($"{option} '{path}': the folder '{folder}' does not exist; create it first.");
        try
        {
            string probe = DipDefense.Data.AtomicFile.TemporaryPathFor(Path.Combine(folder, "probe"));
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"{option} '{path}': cannot write in the folder '{folder}' ({e.Message}).");
        }
    }
}
