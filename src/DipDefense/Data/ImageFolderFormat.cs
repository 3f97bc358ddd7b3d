namespace DipDefense.Data;

/// <summary>
/// An image folder: <c>root/&lt;class name&gt;/*.png|*.jpg|*.jpeg</c>, optionally with <c>root/classes.txt</c>.
/// When <c>classes.txt</c> is present it defines the classes: label k is its k-th non-empty line (trimmed), and
/// that class's images are in the subfolder named by the folder-safe form of the name (see
/// <see cref="Write"/>). Without it, classes are the subfolder names in ordinal order (hidden folders, starting
/// with '.', are skipped). Images within a class are taken in ordinal file-name order. All images must have the
/// same size; the set is greyscale (C = 1) when every image decodes as grey, else RGB (C = 3, any alpha dropped).
/// </summary>
public static class ImageFolderFormat
{
    /// <summary>The class-name file at the root of an image folder: one class name a line, in label order.</summary>
    public const string ClassNamesFileName = ClassNameFile.DefaultFileName;

    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Whether <paramref name="file"/> has a PNG or JPEG extension (any case).</summary>
    internal static bool IsImageFile(string file) =>
        Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase);

    /// <summary>The class subfolders of <paramref name="root"/> in ordinal name order.</summary>
    internal static string[] ClassFolders(string root) =>
        Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.'))
                 .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();

    /// <summary>The PNG/JPEG files of a class folder in ordinal name order.</summary>
    internal static string[] ImageFiles(string classFolder) =>
        Directory.GetFiles(classFolder).Where(IsImageFile)
                 .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Reads an image folder. With <c>classes.txt</c> at the root, label k is the k-th class listed there and its
    /// images are in the subfolder with the folder-safe form of that name (a listed class without a subfolder has
    /// no images); without it, the labels index the subfolder names in ordinal order and the names are the folder
    /// names.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The folder holds no images, an image cannot be decoded, or the images differ in size; or
    /// <c>classes.txt</c> lists a name that cannot be a folder name or two names with the same folder, or a
    /// subfolder holding images is not listed in it.
    /// </exception>
    public static ImageDataset Read(string root)
    {
        var listing = ListFiles(root);
        var images = new List<PngImage.DecodedImage>(listing.Files.Count);
        foreach (var file in listing.Files)
        {
            var image = PngImage.Decode(file);
            if (images.Count > 0 && (image.Width != images[0].Width || image.Height != images[0].Height))
                throw new InvalidDataException(
                    $"'{file}' is {image.Width}x{image.Height} but '{listing.Files[0]}' is {images[0].Width}x{images[0].Height}; " +
                    "all images of an image folder must have the same size.");
            images.Add(image);
        }

        int channels = images.All(i => i.Channels == 1) ? 1 : 3;
        int h = images[0].Height, w = images[0].Width, plane = h * w, size = channels * plane;
        if ((long)images.Count * size > Array.MaxLength)
            throw new InvalidDataException($"'{root}' holds more pixels than fit in one array.");
        var pixels = new byte[images.Count * size];
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            for (int k = 0; k < channels; k++)
                Buffer.BlockCopy(image.Planar, image.Channels == 1 ? 0 : k * plane, pixels, i * size + k * plane, plane);
            images[i] = default; // let the decoded planes go as soon as they are copied
        }

        return PixelConversion.ToDataset(pixels, [images.Count, channels, h, w], listing.Labels.ToArray(), listing.ClassNames);
    }

    /// <summary>
    /// The image files of an image folder with their labels and the class names, in the order in which
    /// <see cref="Read"/> returns the images, without decoding them (classes as in <see cref="Read"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The folder holds no images; or <c>classes.txt</c> lists a name that cannot be a folder name or two names
    /// with the same folder, or a subfolder holding images is not listed in it.
    /// </exception>
    public static ImageFolderListing ListFiles(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            if (File.Exists(root))
                throw new InvalidDataException($"'{root}' is a file; an image folder is a folder with one subfolder per class of PNG/JPEG files.");
            throw new FileNotFoundException($"'{root}' does not exist.", root);
        }

        var (names, classFolders) = Classes(root);
        var files = new List<string>();
        var labels = new List<long>();
        for (int c = 0; c < classFolders.Length; c++)
            foreach (var file in classFolders[c] is { } classFolder ? ImageFiles(classFolder) : [])
            {
                files.Add(file);
                labels.Add(c);
            }
        if (files.Count == 0)
            throw new InvalidDataException(
                $"'{root}' holds no PNG/JPEG images in class subfolders (expected {root}/<class name>/*.png|*.jpg|*.jpeg).");
        return new ImageFolderListing(names, files, labels);
    }

    /// <summary>
    /// The class names in label order and, for each, its subfolder (null when a class listed in
    /// <c>classes.txt</c> has none): from <c>classes.txt</c> when present, else the subfolders in ordinal order.
    /// </summary>
    static (IReadOnlyList<string> Names, string?[] Folders) Classes(string root)
    {
        var subfolders = ClassFolders(root);
        string classesPath = Path.Combine(root, ClassNamesFileName);
        if (ClassNameFile.TryRead(classesPath) is not { } names)
            return (subfolders.Select(d => Path.GetFileName(d)).ToArray(), subfolders);

        var labelOfFolder = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < names.Count; k++)
        {
            string folder;
            try
            {
                folder = FolderName(names[k]);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{classesPath}' line {k + 1}: {e.Message}", e);
            }
            if (!labelOfFolder.TryAdd(folder, k))
                throw new InvalidDataException(
                    $"'{classesPath}' lists '{names[labelOfFolder[folder]]}' and '{names[k]}', which share the folder name '{folder}'.");
        }

        var folders = new string?[names.Count];
        foreach (var subfolder in subfolders)
        {
            if (labelOfFolder.TryGetValue(Path.GetFileName(subfolder), out int k))
                folders[k] = subfolder;
            else if (ImageFiles(subfolder).Length > 0)
                throw new InvalidDataException(
                    $"'{subfolder}' holds images but is not a class listed in '{classesPath}'; add its class name there or move the folder away.");
        }
        return (names, folders);
    }

    /// <summary>
    /// Writes <paramref name="data"/> as <c>root/&lt;class name&gt;/&lt;index:D5&gt;.png</c> (index = position in the
    /// dataset; grey PNG when C = 1, RGB when C = 3), quantising pixels to round(x * 255) clamped to [0, 255].
    /// Every class gets a folder, even one without images.
    /// </summary>
    /// <remarks>
    /// Characters not allowed in folder names (such as '/') become '_'. The class names, unchanged, go to
    /// <c>root/classes.txt</c> in label order, so reading the folder back restores the labels and names (names are
    /// trimmed of surrounding white space); images come back grouped by class in label order.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// C is not 1 or 3, or class names are empty, contain a line break, or collide once made folder-safe.
    /// </exception>
    /// <exception cref="IOException">
    /// A class folder under <paramref name="root"/> already holds images, or <c>root/classes.txt</c> exists and lists
    /// other classes.
    /// </exception>
    public static void Write(ImageDataset data, string root)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (data.Channels is not (1 or 3))
            throw new ArgumentException($"an image folder holds grey (C = 1) or RGB (C = 3) images; this dataset has C = {data.Channels}.", nameof(data));

        if (data.ClassNames.FirstOrDefault(n => n.Contains('\n') || n.Contains('\r')) is { } multiLine)
            throw new ArgumentException(
                $"class name '{multiLine}' contains a line break and cannot be stored in {ClassNamesFileName}.", nameof(data));
        var folders = data.ClassNames.Select(FolderName).ToArray();
        var duplicate = folders.GroupBy(f => f, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new ArgumentException($"several class names map to the folder name '{duplicate.Key}'.", nameof(data));

        var paths = folders.Select(f => Path.Combine(root, f)).ToArray();
        foreach (var folder in paths)
            if (Directory.Exists(folder) && ImageFiles(folder).Length > 0)
                throw new IOException($"'{folder}' already holds images; write the image folder to an empty or new folder.");
        string classesPath = Path.Combine(root, ClassNamesFileName);
        if (ClassNameFile.TryRead(classesPath) is { } existing
            && !existing.SequenceEqual(data.ClassNames.Select(n => n.Trim()), StringComparer.Ordinal))
            throw new IOException(
                $"'{classesPath}' already lists other classes; write the image folder to an empty or new folder.");
        foreach (var folder in paths)
            Directory.CreateDirectory(folder);
        ClassNameFile.WriteIfAbsent(classesPath, data.ClassNames);

        var pixels = PixelConversion.ToBytes(data.Images);
        var labels = PixelConversion.Labels(data.Labels);
        int c = data.Channels, h = data.Height, w = data.Width, size = c * h * w;
        for (int i = 0; i < labels.Length; i++)
            PngImage.Encode(pixels.AsSpan(i * size, size), c, h, w,
                Path.Combine(paths[labels[i]], i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + ".png"));
    }

    static string FolderName(string className)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\']).ToHashSet();
        string name = new(className.Trim().Select(ch => invalid.Contains(ch) ? '_' : ch).ToArray());
        if (name.Length == 0 || name == "." || name == ".." || name.StartsWith('.'))
            throw new ArgumentException($"class name '{className}' cannot be used as a folder name.");
        return name;
    }
}
