using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Data;

/// <summary>
/// An in-memory labelled image set: the one form every reader produces and every writer consumes.
/// </summary>
/// <remarks>
/// <see cref="Images"/> is float32 <c>[N, C, H, W]</c> with values in [0, 1];
/// <see cref="Labels"/> is int64 <c>[N]</c> with values in [0, <see cref="ClassNames"/>.Count).
/// The dataset owns both tensors and disposes them.
/// </remarks>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Creates a dataset, checking shapes, dtypes and label range.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1]; the dataset takes ownership.</param>
    /// <param name="labels">int64 [N]; the dataset takes ownership.</param>
    /// <param name="classNames">Class names in label order.</param>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dim() != 4 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be a float32 tensor [N, C, H, W]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be an int64 tensor [{images.shape[0]}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (labels.numel() > 0)
        {
            long min = labels.min().item<long>(), max = labels.max().item<long>();
            if (min < 0 || max >= classNames.Count)
                throw new ArgumentException($"labels must lie in [0, {classNames.Count}) for {classNames.Count} class names; found [{min}, {max}].", nameof(labels));
        }
        Images = images;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>float32 [N, C, H, W] in [0, 1].</summary>
    public Tensor Images { get; }

    /// <summary>int64 [N].</summary>
    public Tensor Labels { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images N.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Channels C.</summary>
    public int Channels => (int)Images.shape[1];

    /// <summary>Height H.</summary>
    public int Height => (int)Images.shape[2];

    /// <summary>Width W.</summary>
    public int Width => (int)Images.shape[3];

    /// <summary>
    /// A new dataset holding images [offset, offset + count) (copies; this dataset stays usable).
    /// <paramref name="count"/> null means "to the end".
    /// </summary>
    public ImageDataset Slice(int offset, int? count = null)
    {
        if (offset < 0 || offset > Count)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset must lie in [0, {Count}] for a dataset of {Count} images.");
        int n = count ?? Count - offset;
        if (n < 0 || offset + n > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must lie in [0, {Count - offset}] for offset {offset} in a dataset of {Count} images.");
        return new ImageDataset(Images.narrow(0, offset, n).clone(), Labels.narrow(0, offset, n).clone(), ClassNames);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
