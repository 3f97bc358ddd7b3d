using System.Buffers.Binary;
using System.IO.Compression;

namespace DipDefense.Data;

/// <summary>
/// idx files (MNIST, Fashion-MNIST): a big-endian header of two zero bytes, a type byte (only 0x08, unsigned
/// byte, is supported), a dimension count and the dimensions as int32, then the data. An images file
/// <c>[N, H, W]</c> (for example <c>train-images-idx3-ubyte</c>) is read with its labels file <c>[N]</c>
/// (<c>train-labels-idx1-ubyte</c>) beside it; either may be gzip-compressed (<c>.gz</c>).
/// </summary>
/// <remarks>
/// Class names come from <c>classes.txt</c> beside the images file (one a line) when present; else the
/// Fashion-MNIST names when the path contains "fashion"; else "0", "1", ... (at least 10).
/// </remarks>
public static class IdxFormat
{
    /// <summary>The class-name file looked for beside the images file.</summary>
    public const string ClassNamesFileName = ClassNameFile.DefaultFileName;

    const byte UnsignedByte = 0x08;

    /// <summary>
    /// Reads an idx images file and the labels file beside it, or the one images/labels pair in a folder.
    /// Images become float32 <c>[N, 1, H, W]</c> in [0, 1].
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// No labels file is found, a folder holds no or several pairs, a file is truncated or of an unsupported
    /// type, or the image and label counts differ.
    /// </exception>
    public static ImageDataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (imagesPath, labelsPath) = ResolvePair(path);

        var (imageDims, imageBytes, imageHeader) = ReadIdx(imagesPath);
        if (imageDims.Length != 3)
            throw new InvalidDataException(
                $"'{imagesPath}' has {imageDims.Length} dimensions [{string.Join(", ", imageDims)}]; an idx images file has 3 [N, H, W]" +
                (imageDims.Length == 1 ? " (this looks like a labels file)." : "."));
        var (labelDims, labelBytes, labelHeader) = ReadIdx(labelsPath);
        if (labelDims.Length != 1)
            throw new InvalidDataException(
                $"'{labelsPath}' has {labelDims.Length} dimensions [{string.Join(", ", labelDims)}]; an idx labels file has 1 [N].");
        if (labelDims[0] != imageDims[0])
            throw new InvalidDataException(
                $"'{imagesPath}' holds {imageDims[0]} images but '{labelsPath}' holds {labelDims[0]} labels.");

        var labelSpan = labelBytes.AsSpan(labelHeader);
        var labels = new long[labelSpan.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = labelSpan[i];
        long maxLabel = labels.Length == 0 ? -1 : labels.Max();

        string folder = Path.GetDirectoryName(Path.GetFullPath(imagesPath))!;
        string classesPath = Path.Combine(folder, ClassNamesFileName);
        IReadOnlyList<string> names;
        if (ClassNameFile.TryRead(classesPath) is { } fromFile)
            ClassNameFile.CheckCovers(names = fromFile, maxLabel, $"'{classesPath}'", labelsPath);
        else if (Path.GetFullPath(imagesPath).Contains("fashion", StringComparison.OrdinalIgnoreCase))
            ClassNameFile.CheckCovers(names = KnownClassNames.FashionMnist, maxLabel, "the Fashion-MNIST class list", labelsPath);
        else
            names = KnownClassNames.Numbered((int)Math.Max(10, maxLabel + 1));

        return PixelConversion.ToDataset(
            imageBytes.AsSpan(imageHeader), [imageDims[0], 1, imageDims[1], imageDims[2]], labels, names);
    }

    /// <summary>
    /// Writes the images to <paramref name="path"/> (gzip-compressed when it ends in <c>.gz</c>) and the labels to
    /// the file named by <see cref="LabelsPathFor"/>, quantising pixels to round(x * 255) clamped to [0, 255];
    /// writes <c>classes.txt</c> beside them unless one exists there.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The images have more than one channel, a label does not fit in a byte, or the file name contains neither
    /// "images" nor "idx3".
    /// </exception>
    public static void Write(ImageDataset data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (data.Channels != 1)
            throw new ArgumentException(
                $"idx images are greyscale [N, H, W]; this dataset has {data.Channels} channels.", nameof(data));
        string labelsPath = LabelsPathFor(path)
            ?? throw new ArgumentException(
                $"'{path}' must contain 'images' or 'idx3' in its file name so that the labels file name can be derived from it.",
                nameof(path));
        var labels = PixelConversion.Labels(data.Labels);
        if (labels.Length > 0 && labels.Max() > byte.MaxValue)
            throw new ArgumentException($"idx labels are unsigned bytes; this dataset has label {labels.Max()}.", nameof(data));

        var pixels = PixelConversion.ToBytes(data.Images);
        var labelBytes = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            labelBytes[i] = (byte)labels[i];

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        WriteIdx(path, [data.Count, data.Height, data.Width], pixels);
        WriteIdx(labelsPath, [data.Count], labelBytes);
        ClassNameFile.WriteIfAbsent(Path.Combine(folder, ClassNamesFileName), data.ClassNames);
    }

    /// <summary>
    /// The labels file for an images file: its name with "images" replaced by "labels" and "idx3" by "idx1"
    /// (in the same folder), or null when the name contains neither.
    /// </summary>
    public static string? LabelsPathFor(string imagesPath)
    {
        string name = Path.GetFileName(imagesPath);
        string labelsName = name.Replace("images", "labels", StringComparison.OrdinalIgnoreCase)
                                .Replace("idx3", "idx1", StringComparison.OrdinalIgnoreCase);
        if (labelsName == name)
            return null;
        return Path.Combine(Path.GetDirectoryName(imagesPath) ?? "", labelsName);
    }

    /// <summary>Whether a file name looks like an idx file (contains "idx" or "-ubyte").</summary>
    internal static bool LooksLikeIdx(string fileName) =>
        fileName.Contains("idx", StringComparison.OrdinalIgnoreCase) || fileName.Contains("-ubyte", StringComparison.OrdinalIgnoreCase);

    static (string Images, string Labels) ResolvePair(string path)
    {
        if (Directory.Exists(path))
        {
            var idxFiles = Directory.GetFiles(path).Where(f => LooksLikeIdx(Path.GetFileName(f)))
                                    .Order(StringComparer.Ordinal).ToArray();
            var pairs = idxFiles.Select(f => (Images: f, Labels: FindLabels(f)))
                                .Where(p => p.Labels != null).ToArray();
            if (pairs.Length == 1)
                return (pairs[0].Images, pairs[0].Labels!);
            string found = idxFiles.Length == 0
                ? "no idx files"
                : $"{pairs.Length} images/labels pairs among the idx files {string.Join(", ", idxFiles.Select(Path.GetFileName))}";
            throw new InvalidDataException(
                $"'{path}' must hold exactly one idx images/labels pair (such as train-images-idx3-ubyte with train-labels-idx1-ubyte); " +
                $"found {found}. Pass the images file itself.");
        }
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        if (LabelsPathFor(path) == null)
            throw new InvalidDataException(
                $"'{path}' does not look like an idx images file: its name should contain 'images' or 'idx3' so that the labels file beside it can be found.");
        return (path, FindLabels(path) ?? throw new InvalidDataException(
            $"No labels file found beside '{path}'; looked for {string.Join(", ", LabelCandidates(path).Select(c => $"'{c}'"))}."));
    }

    static string? FindLabels(string imagesPath) => LabelCandidates(imagesPath).FirstOrDefault(File.Exists);

    static IEnumerable<string> LabelCandidates(string imagesPath)
    {
        if (LabelsPathFor(imagesPath) is not { } labels || labels == imagesPath)
            yield break;
        yield return labels;
        yield return labels.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? labels[..^3] : labels + ".gz";
    }

    static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The dimensions, the whole (decompressed) file and the header length of an unsigned-byte idx file.</summary>
    static (int[] Dims, byte[] Bytes, int HeaderLength) ReadIdx(string file)
    {
        byte[] bytes;
        bool gzip = IsGzip(file);
        if (gzip)
        {
            try
            {
                using var input = File.OpenRead(file);
                using var unzip = new GZipStream(input, CompressionMode.Decompress);
                using var buffer = new MemoryStream();
                unzip.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw new InvalidDataException($"'{file}' is not a valid gzip file: {e.Message}", e);
            }
        }
        else
            bytes = File.ReadAllBytes(file);

        string sizeNote = gzip ? " (decompressed)" : "";
        if (bytes.Length < 4)
            throw new InvalidDataException(
                $"'{file}' is truncated: {bytes.Length} bytes{sizeNote}, expected at least 4 (the idx magic number).");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException(
                $"'{file}' is not an idx file: it should start with two zero bytes, found 0x{bytes[0]:X2} 0x{bytes[1]:X2}.");
        if (bytes[2] != UnsignedByte)
            throw new InvalidDataException(
                $"'{file}' holds idx data type 0x{bytes[2]:X2} ({TypeName(bytes[2])}); only unsigned bytes (0x08) are supported.");
        int rank = bytes[3];
        if (rank == 0)
            throw new InvalidDataException($"'{file}' declares 0 dimensions; an idx file needs at least one.");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new InvalidDataException(
                $"'{file}' is truncated: {bytes.Length} bytes{sizeNote}, expected at least {header} for the header of {rank} dimensions.");

        var dims = new int[rank];
        long payload = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0)
                throw new InvalidDataException($"'{file}' declares a negative dimension: [{string.Join(", ", dims.Take(d + 1))}].");
            payload *= dims[d];
            if (payload > Array.MaxLength)
                throw new InvalidDataException($"'{file}' declares more data than fits in one array.");
        }
        long expected = header + payload;
        if (bytes.Length < expected)
            throw new InvalidDataException(
                $"'{file}' is truncated: {bytes.Length} bytes{sizeNote}, expected {expected} " +
                $"({header}-byte header + {payload} data bytes for dimensions [{string.Join(", ", dims)}]).");
        if (bytes.Length > expected)
            throw new InvalidDataException(
                $"'{file}' has {bytes.Length} bytes{sizeNote}, expected {expected} " +
                $"({header}-byte header + {payload} data bytes for dimensions [{string.Join(", ", dims)}]); it is not a valid idx file.");
        return (dims, bytes, header);
    }

    static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };

    static void WriteIdx(string file, int[] dims, byte[] data)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = UnsignedByte;
        header[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), dims[d]);

        AtomicFile.Write(file, output =>
        {
            if (!IsGzip(file))
            {
                output.Write(header);
                output.Write(data);
                return;
            }
            using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
            gzip.Write(header);
            gzip.Write(data);
        });
    }
}
