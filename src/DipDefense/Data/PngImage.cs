using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Data;

/// <summary>
/// Saves and loads single images as float32 tensors <c>[C, H, W]</c> in [0, 1]: PNG on saving (grey for C = 1,
/// RGB for C = 3), PNG or JPEG on loading. The one place where pixels meet image files.
/// </summary>
public static class PngImage
{
    /// <summary>
    /// Saves <paramref name="chw"/> (float <c>[C, H, W]</c>, C = 1 or 3, values in [0, 1]) as a PNG file,
    /// quantising to round(x * 255) clamped to [0, 255]. Creates the folder when needed.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not [1 or 3, H, W].</exception>
    public static void Save(Tensor chw, string path)
    {
        ArgumentNullException.ThrowIfNull(chw);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (chw.dim() != 3 || (chw.shape[0] != 1 && chw.shape[0] != 3) || chw.shape[1] < 1 || chw.shape[2] < 1)
            throw new ArgumentException(
                $"a PNG image must be a tensor [C, H, W] with C = 1 or 3; got [{string.Join(", ", chw.shape)}].", nameof(chw));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null)
            Directory.CreateDirectory(folder);
        Encode(PixelConversion.ToBytes(chw), (int)chw.shape[0], (int)chw.shape[1], (int)chw.shape[2], path);
    }

    /// <summary>
    /// Loads a PNG or JPEG file as float32 <c>[C, H, W]</c> in [0, 1]: C = 1 when the file decodes as grey,
    /// else C = 3 (any alpha channel is dropped).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be decoded.</exception>
    public static Tensor Load(string path)
    {
        var image = Decode(path);
        return PixelConversion.ToTensor(image.Planar, [image.Channels, image.Height, image.Width]);
    }

    /// <summary>An image decoded to 8-bit planes: <see cref="Planar"/> is [Channels, Height, Width] row-major.</summary>
    internal readonly record struct DecodedImage(int Channels, int Height, int Width, byte[] Planar);

    /// <summary>Decodes a PNG or JPEG file to 8-bit planes: 1 when it decodes as grey, else 3 (R, G, B).</summary>
    internal static DecodedImage Decode(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        using var codec = SKCodec.Create(path, out var createResult)
            ?? throw new InvalidDataException($"'{path}' could not be decoded as an image ({createResult}).");
        var source = codec.Info;
        bool grey = source.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(source.Width, source.Height,
            grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);

        var pixels = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"'{path}' could not be decoded as an image ({result}).");

        int w = info.Width, h = info.Height, plane = w * h;
        if (grey)
        {
            if (info.RowBytes == w)
                return new DecodedImage(1, h, w, pixels);
            var packed = new byte[plane];
            for (int y = 0; y < h; y++)
                Buffer.BlockCopy(pixels, y * info.RowBytes, packed, y * w, w);
            return new DecodedImage(1, h, w, packed);
        }

        var planar = new byte[3 * plane];
        for (int y = 0; y < h; y++)
        {
            int row = y * info.RowBytes;
            for (int x = 0; x < w; x++)
            {
                int src = row + 4 * x, dst = y * w + x;
                planar[dst] = pixels[src];
                planar[plane + dst] = pixels[src + 1];
                planar[2 * plane + dst] = pixels[src + 2];
            }
        }
        return new DecodedImage(3, h, w, planar);
    }

    /// <summary>Encodes 8-bit planes [channels, height, width] (channels 1 or 3) as a PNG file.</summary>
    internal static void Encode(ReadOnlySpan<byte> planar, int channels, int height, int width, string path)
    {
        int plane = width * height;
        if (channels is not (1 or 3) || planar.Length != channels * plane)
            throw new ArgumentException(
                $"expected {channels * plane} bytes for [{channels}, {height}, {width}] with 1 or 3 channels; got {planar.Length}.", nameof(planar));
        SKImageInfo info;
        byte[] interleaved;
        if (channels == 1)
        {
            info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
            interleaved = planar.ToArray();
        }
        else
        {
            info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            interleaved = new byte[4 * plane];
            for (int p = 0; p < plane; p++)
            {
                interleaved[4 * p] = planar[p];
                interleaved[4 * p + 1] = planar[plane + p];
                interleaved[4 * p + 2] = planar[2 * plane + p];
                interleaved[4 * p + 3] = byte.MaxValue;
            }
        }

        using var image = SKImage.FromPixelCopy(info, interleaved)
            ?? throw new InvalidOperationException($"could not create a {width}x{height} image for '{path}'.");
        Write(image, path);
    }

    /// <summary>Encodes a drawn picture as PNG at <paramref name="path"/>, creating the folder.</summary>
    internal static void Write(SKBitmap bitmap, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null)
            Directory.CreateDirectory(folder);
        using var image = SKImage.FromBitmap(bitmap);
        Write(image, path);
    }

    static void Write(SKImage image, string path)
    {
        using var png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"could not encode '{path}' as PNG.");
        AtomicFile.Write(path, png.SaveTo);
    }
}
