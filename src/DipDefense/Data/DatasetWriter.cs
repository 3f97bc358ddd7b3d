namespace DipDefense.Data;

/// <summary>
/// Writes a dataset to disk in a <see cref="DatasetFormat"/>, so that adversarial and purified sets can be saved in
/// the format they came in. Pixels are quantised to round(x * 255) clamped to [0, 255].
/// </summary>
public static class DatasetWriter
{
    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> in <paramref name="format"/>.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="path">
    /// The <c>.bin</c> file (CIFAR-10 binary), the images file (idx; its labels file goes beside it) or the root
    /// folder (image folder).
    /// </param>
    /// <param name="format">The format to write.</param>
    /// <exception cref="ArgumentException">The dataset does not fit the format (see each format's Write).</exception>
    public static void Write(ImageDataset data, string path, DatasetFormat format)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        switch (format)
        {
            case DatasetFormat.Cifar10Binary:
                Cifar10BinaryFormat.Write(data, path);
                break;
            case DatasetFormat.Idx:
                IdxFormat.Write(data, path);
                break;
            case DatasetFormat.ImageFolder:
                ImageFolderFormat.Write(data, path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown dataset format.");
        }
    }
}
