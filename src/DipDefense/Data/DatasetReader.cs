namespace DipDefense.Data;

/// <summary>Reads a dataset from disk in any <see cref="DatasetFormat"/>, detecting the format when not given.</summary>
public static class DatasetReader
{
    /// <summary>The supported formats, as listed in error messages.</summary>
    public const string SupportedFormats =
        "CIFAR-10 binary (a .bin file of 3073-byte records, or a folder of .bin files); " +
        "idx (an images file such as train-images-idx3-ubyte or .idx3-ubyte.gz, with its labels file beside it); " +
        "image folder (one subfolder per class holding PNG/JPEG files)";

    /// <summary>Reads the dataset at <paramref name="path"/>.</summary>
    /// <param name="path">A file or folder.</param>
    /// <param name="format">The format, or null to detect it with <see cref="DetectFormat"/>.</param>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">The format is unknown or the data is malformed.</exception>
    public static ImageDataset Read(string path, DatasetFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return (format ?? DetectFormat(path)) switch
        {
            DatasetFormat.Cifar10Binary => Cifar10BinaryFormat.Read(path),
            DatasetFormat.Idx => IdxFormat.Read(path),
            DatasetFormat.ImageFolder => ImageFolderFormat.Read(path),
            var other => throw new ArgumentOutOfRangeException(nameof(format), other, "unknown dataset format."),
        };
    }

    /// <summary>
    /// Detects the format of <paramref name="path"/>: a <c>.bin</c> file or a folder holding <c>.bin</c> files is
    /// CIFAR-10 binary; a file whose name contains "idx" or "-ubyte" (or a folder holding such files) is idx; a
    /// folder with subfolders holding PNG/JPEG files is an image folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">The format is none of the supported ones.</exception>
    public static DatasetFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
                return DatasetFormat.Cifar10Binary;
            if (IdxFormat.LooksLikeIdx(name))
                return DatasetFormat.Idx;
        }
        else if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path).Select(Path.GetFileName).ToArray();
            if (files.Any(f => f!.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)))
                return DatasetFormat.Cifar10Binary;
            if (files.Any(f => IdxFormat.LooksLikeIdx(f!)))
                return DatasetFormat.Idx;
            if (ImageFolderFormat.ClassFolders(path).Any(d => Directory.EnumerateFiles(d).Any(ImageFolderFormat.IsImageFile)))
                return DatasetFormat.ImageFolder;
        }
        else
            throw new FileNotFoundException($"'{path}' does not exist.", path);

        throw new InvalidDataException($"'{path}' is not a dataset in a supported format. Supported formats: {SupportedFormats}.");
    }
}
