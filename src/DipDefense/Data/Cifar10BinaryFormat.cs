namespace DipDefense.Data;

/// <summary>
/// CIFAR-10 binary batches: records of 1 label byte followed by 3072 pixel bytes (the R, G and B planes of a
/// 32x32 image, row-major). Class names come from <c>batches.meta.txt</c> beside the data (one a line) when
/// present, else <see cref="KnownClassNames.Cifar10"/>.
/// </summary>
public static class Cifar10BinaryFormat
{
    /// <summary>Channels per image.</summary>
    public const int Channels = 3;

    /// <summary>Image height and width.</summary>
    public const int Size = 32;

    /// <summary>Pixel bytes per record.</summary>
    public const int PixelBytes = Channels * Size * Size;

    /// <summary>Bytes per record: 1 label byte + <see cref="PixelBytes"/>.</summary>
    public const int RecordBytes = 1 + PixelBytes;

    /// <summary>The class-name file looked for beside the data.</summary>
    public const string MetaFileName = "batches.meta.txt";

    /// <summary>
    /// Reads a <c>.bin</c> file, or every <c>*.bin</c> file of a folder in ordinal name order, concatenated.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is empty or truncated, or a folder holds no <c>.bin</c> file.</exception>
    public static ImageDataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string[] files;
        string folder;
        if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path, "*.bin").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                throw new InvalidDataException($"'{path}' holds no CIFAR-10 .bin files.");
            folder = path;
        }
        else if (File.Exists(path))
        {
            files = [path];
            folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        }
        else
            throw new FileNotFoundException($"'{path}' does not exist.", path);

        var records = files.Select(ReadRecords).ToArray();
        long total = records.Sum(r => (long)r.Length);
        if (total / RecordBytes * PixelBytes > Array.MaxLength)
            throw new InvalidDataException($"'{path}' holds {total / RecordBytes} images, more than fit in one array.");
        int n = (int)(total / RecordBytes);

        var pixels = new byte[n * PixelBytes];
        var labels = new long[n];
        int i = 0;
        foreach (var bytes in records)
            for (int offset = 0; offset < bytes.Length; offset += RecordBytes, i++)
            {
                labels[i] = bytes[offset];
                Buffer.BlockCopy(bytes, offset + 1, pixels, i * PixelBytes, PixelBytes);
            }

        string metaPath = Path.Combine(folder, MetaFileName);
        var names = ClassNameFile.TryRead(metaPath);
        long maxLabel = n == 0 ? -1 : labels.Max();
        if (names != null)
            ClassNameFile.CheckCovers(names, maxLabel, $"'{metaPath}'", path);
        else
            ClassNameFile.CheckCovers(names = KnownClassNames.Cifar10, maxLabel, "the standard CIFAR-10 class list", path);

        return PixelConversion.ToDataset(pixels, [n, Channels, Size, Size], labels, names);
    }

    /// <summary>
    /// Writes <paramref name="data"/> as one CIFAR-10 binary file, quantising pixels to round(x * 255) clamped to
    /// [0, 255], and writes <c>batches.meta.txt</c> with the class names beside it unless one exists there.
    /// </summary>
    /// <exception cref="ArgumentException">The images are not 3x32x32, or a label does not fit in a byte.</exception>
    public static void Write(ImageDataset data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (data.Channels != Channels || data.Height != Size || data.Width != Size)
            throw new ArgumentException(
                $"CIFAR-10 binary holds {Channels}x{Size}x{Size} images; this dataset's are {data.Channels}x{data.Height}x{data.Width}.",
                nameof(data));
        var labels = PixelConversion.Labels(data.Labels);
        if (labels.Length > 0 && labels.Max() > byte.MaxValue)
            throw new ArgumentException(
                $"CIFAR-10 binary stores labels in one byte; this dataset has label {labels.Max()}.", nameof(data));

        var pixels = PixelConversion.ToBytes(data.Images);
        var bytes = new byte[labels.Length * RecordBytes];
        for (int i = 0; i < labels.Length; i++)
        {
            bytes[i * RecordBytes] = (byte)labels[i];
            Buffer.BlockCopy(pixels, i * PixelBytes, bytes, i * RecordBytes + 1, PixelBytes);
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(path, bytes);
        ClassNameFile.WriteIfAbsent(Path.Combine(folder, MetaFileName), data.ClassNames);
    }

    static byte[] ReadRecords(string file)
    {
        var bytes = File.ReadAllBytes(file);
        long length = bytes.LongLength;
        if (length == 0)
            throw new InvalidDataException(
                $"'{file}' is empty: 0 bytes, expected a multiple of {RecordBytes} (1 label byte + {PixelBytes} pixel bytes per image).");
        long remainder = length % RecordBytes;
        if (remainder != 0)
        {
            long whole = length / RecordBytes;
            throw new InvalidDataException(
                $"'{file}' is truncated: {length} bytes, expected a multiple of {RecordBytes} (1 label byte + {PixelBytes} pixel bytes per image), " +
                $"such as {(whole + 1) * RecordBytes} for {whole + 1} images; the last record has {remainder} of {RecordBytes} bytes.");
        }
        return bytes;
    }
}
