namespace DipDefense.Data;

/// <summary>The on-disk dataset formats that <see cref="DatasetReader"/> reads and <see cref="DatasetWriter"/> writes.</summary>
public enum DatasetFormat
{
    /// <summary>
    /// CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32), in a <c>.bin</c> file
    /// or a folder of <c>.bin</c> files; class names from <c>batches.meta.txt</c> beside them.
    /// </summary>
    Cifar10Binary,

    /// <summary>
    /// idx (MNIST / Fashion-MNIST): an unsigned-byte images file <c>[N, H, W]</c> (for example
    /// <c>train-images-idx3-ubyte</c>, optionally <c>.gz</c>) with its labels file <c>[N]</c> beside it.
    /// </summary>
    Idx,

    /// <summary>
    /// An image folder: <c>root/&lt;class name&gt;/*.png|*.jpg|*.jpeg</c>, one subfolder per class; the label order
    /// comes from <c>root/classes.txt</c> when present, else from the ordinal order of the subfolder names.
    /// </summary>
    ImageFolder,
}
