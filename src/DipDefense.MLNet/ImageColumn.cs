using DipDefense.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DipDefense.MLNet;

/// <summary>One image of a row, as the purifier reads it: planar [C, H, W] values in [0, 1].</summary>
/// <param name="Pixels">C·H·W values in [0, 1], planar.</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="Alpha">For an <see cref="MLImage"/>: its alpha plane (kept as is in the output); else null.</param>
/// <param name="Format">For an <see cref="MLImage"/>: its pixel format (kept in the output).</param>
internal sealed record RowImage(float[] Pixels, int Height, int Width, byte[]? Alpha = null, MLPixelFormat Format = MLPixelFormat.Unknown);

/// <summary>
/// The input column of DipPurify bound to a schema: checked against the expected types and the victim, and the one
/// place where column values become [0, 1] pixels and purified pixels become column values again.
/// </summary>
/// <remarks>
/// An <see cref="MLImage"/> is read as 3 channels R, G, B, each byte b as b / 255 (the core's conversion), and written
/// back rounded to the nearest byte with its alpha and pixel format. A float vector holds (p − offset) × scale for
/// pixels p in [0, 255], planar [C, H, W] (<c>ExtractPixels</c>' layout); it is read as (v / scale + offset) / 255
/// and written back as (255 u − offset) × scale.
/// </remarks>
internal sealed class ImageColumn
{
    const int ImageChannels = 3;
    readonly float scale, offset;

    ImageColumn(DataViewSchema.Column column, bool isImage, int channels, int height, int width, float scale, float offset)
    {
        Column = column;
        IsImage = isImage;
        Channels = channels;
        Height = height;
        Width = width;
        this.scale = scale;
        this.offset = offset;
    }

    /// <summary>The bound input column.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>Whether the column holds <see cref="MLImage"/>s (else float vectors).</summary>
    public bool IsImage { get; }

    /// <summary>Image channels C.</summary>
    public int Channels { get; }

    /// <summary>Image height H; 0 when an image column leaves it to each row.</summary>
    public int Height { get; }

    /// <summary>Image width W; 0 when an image column leaves it to each row.</summary>
    public int Width { get; }

    /// <summary>
    /// Finds and checks the input column: a missing column, a type other than an image or a known-size float vector,
    /// a vector whose size is not C×H×W, or images the victim cannot take each fail with a message naming the column.
    /// </summary>
    public static ImageColumn Bind(DataViewSchema schema, DipPurifyOptions options, OnnxClassifier victim, string paramName)
    {
        string name = options.SourceColumnName;
        var column = schema.GetColumnOrNull(name) ?? throw SchemaErrors.MissingColumn(paramName, name);
        ImageColumn bound = column.Type switch
        {
            ImageDataViewType image => new ImageColumn(column, true, ImageChannels, image.Height, image.Width, 1, 0),
            VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } vector when item == NumberDataViewType.Single =>
                BindVector(column, vector, options, paramName),
            _ => throw SchemaErrors.Mismatch(paramName, name, SchemaErrors.ExpectedImage, column.Type.ToString() ?? column.Type.GetType().Name),
        };
        bound.CheckVictim(victim, bound.Height, bound.Width, paramName);
        return bound;
    }

    /// <summary>
    /// Checks that the victim takes images of C×<paramref name="height"/>×<paramref name="width"/>; a side of 0 (not
    /// known from the schema) is checked per row.
    /// </summary>
    public void CheckVictim(OnnxClassifier victim, int height, int width, string paramName)
    {
        int h = height > 0 ? height : victim.Height ?? 1, w = width > 0 ? width : victim.Width ?? 1;
        try
        {
            victim.EnsureCompatible(Channels, h, w);
        }
        catch (ArgumentException ex)
        {
            bool sizeDiffers = victim.Channels is int c && c != Channels || victim.Height is int vh && vh != h || victim.Width is int vw && vw != w;
            if (!sizeDiffers)
                throw new ArgumentException($"Input column '{Column.Name}': {ArgumentErrors.MessageOf(ex)}", paramName, ex);
            string layout = IsImage ? "" : " (a float vector is read as planar [C, H, W], as ExtractPixels writes it without interleavePixelColors)";
            throw SchemaErrors.Mismatch(paramName, Column.Name,
                $"images of {Dim(victim.Channels)}×{Dim(victim.Height)}×{Dim(victim.Width)} (C×H×W) for the victim '{victim.SourceName}'", $"{Channels}×{h}×{w}{layout}");
        }
    }

    static string Dim(int? size) => size?.ToString() ?? "any";

    static ImageColumn BindVector(DataViewSchema.Column column, VectorDataViewType vector, DipPurifyOptions options, string paramName)
    {
        var dims = vector.Dimensions;
        bool fromType = dims.Length == 3;
        int c = options.ImageChannels > 0 ? options.ImageChannels : fromType ? dims[0] : 0;
        int h = options.ImageHeight > 0 ? options.ImageHeight : fromType ? dims[1] : 0;
        int w = options.ImageWidth > 0 ? options.ImageWidth : fromType ? dims[2] : 0;
        if (c == 0 || h == 0 || w == 0)
            throw SchemaErrors.Mismatch(paramName, column.Name,
                $"a vector with dimensions [C, H, W] (or set {nameof(DipPurifyOptions)}.{nameof(DipPurifyOptions.ImageChannels)}, {nameof(DipPurifyOptions.ImageHeight)} and {nameof(DipPurifyOptions.ImageWidth)})",
                vector.ToString());
        if ((long)c * h * w != vector.Size)
            throw SchemaErrors.Mismatch(paramName, column.Name, $"Vector<Single, {(long)c * h * w}> (C×H×W = {c}×{h}×{w})", vector.ToString());
        return new ImageColumn(column, false, c, h, w, options.ScaleImage, options.OffsetImage);
    }

    /// <summary>A reader of the current row's image (a copy, in [0, 1]); fails naming the column and row when a value is out of range.</summary>
    public Func<RowImage> CreateReader(DataViewRow row, OnnxClassifier victim)
    {
        if (IsImage)
        {
            var getter = row.GetGetter<MLImage>(Column);
            MLImage? image = null;
            return () =>
            {
                getter(ref image!);
                if (image is null)
                    throw new InvalidOperationException($"Row {row.Position} of input column '{Column.Name}' holds no image.");
                var read = ReadImage(image);
                if (read.Height != Height || read.Width != Width)
                {
                    try
                    {
                        CheckVictim(victim, read.Height, read.Width, "input");
                    }
                    catch (ArgumentOutOfRangeException ex)
                    {
                        throw new InvalidOperationException($"Row {row.Position}: {ArgumentErrors.MessageOf(ex)}", ex);
                    }
                }
                return read;
            };
        }
        var vectorGetter = row.GetGetter<VBuffer<float>>(Column);
        VBuffer<float> buffer = default;
        return () =>
        {
            vectorGetter(ref buffer);
            var pixels = new float[Channels * Height * Width];
            buffer.CopyTo(pixels);
            for (int i = 0; i < pixels.Length; i++)
            {
                float unit = (pixels[i] / scale + offset) / 255f;
                if (!(unit >= 0f && unit <= 1f))
                    throw new InvalidOperationException(
                        $"Row {row.Position} of input column '{Column.Name}' holds {pixels[i]} at index {i}, which is {unit} after undoing " +
                        $"{nameof(DipPurifyOptions.ScaleImage)} = {scale} and {nameof(DipPurifyOptions.OffsetImage)} = {offset}; pixels must lie in [0, 1] " +
                        "(set ScaleImage and OffsetImage to the values given to ExtractPixels).");
                pixels[i] = unit;
            }
            return new RowImage(pixels, Height, Width);
        };
    }

    /// <summary>Writes purified pixels (planar, in [0, 1]) as a value of the column's type; an image is new each call and the caller owns it.</summary>
    public ValueGetter<TValue> CreateWriter<TValue>(Func<(RowImage Input, float[] Purified)> current)
    {
        Delegate writer = IsImage
            ? (ValueGetter<MLImage>)((ref MLImage value) =>
            {
                var (input, purified) = current();
                value = WriteImage(input, purified);
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var purified = current().Purified;
                var editor = VBufferEditor.Create(ref value, purified.Length);
                for (int i = 0; i < purified.Length; i++)
                    editor.Values[i] = (purified[i] * 255f - offset) * scale;
                value = editor.Commit();
            });
        return (ValueGetter<TValue>)writer;
    }

    static RowImage ReadImage(MLImage image)
    {
        var (r, g, b) = ChannelOffsets(image.PixelFormat);
        var bytes = image.Pixels;
        int plane = image.Height * image.Width;
        var pixels = new float[ImageChannels * plane];
        var alpha = new byte[plane];
        for (int i = 0; i < plane; i++)
        {
            pixels[i] = bytes[4 * i + r] / 255f;
            pixels[plane + i] = bytes[4 * i + g] / 255f;
            pixels[2 * plane + i] = bytes[4 * i + b] / 255f;
            alpha[i] = bytes[4 * i + 3];
        }
        return new RowImage(pixels, image.Height, image.Width, alpha, image.PixelFormat);
    }

    static MLImage WriteImage(RowImage input, float[] purified)
    {
        var (r, g, b) = ChannelOffsets(input.Format);
        int plane = input.Height * input.Width;
        var bytes = new byte[4 * plane];
        for (int i = 0; i < plane; i++)
        {
            bytes[4 * i + r] = ToByte(purified[i]);
            bytes[4 * i + g] = ToByte(purified[plane + i]);
            bytes[4 * i + b] = ToByte(purified[2 * plane + i]);
            bytes[4 * i + 3] = input.Alpha![i];
        }
        return MLImage.CreateFromPixels(input.Width, input.Height, input.Format, bytes);
    }

    /// <summary>round(255 u) clamped to [0, 255], half to even, as the core quantises.</summary>
    static byte ToByte(float unit) => (byte)Math.Clamp(MathF.Round(unit * 255f), 0f, 255f);

    static (int R, int G, int B) ChannelOffsets(MLPixelFormat format) => format switch
    {
        MLPixelFormat.Bgra32 => (2, 1, 0),
        MLPixelFormat.Rgba32 => (0, 1, 2),
        _ => throw new NotSupportedException($"MLImage pixel format {format} is not supported; expected Bgra32 or Rgba32."),
    };
}
