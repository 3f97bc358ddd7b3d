using System.Runtime.InteropServices;
using SkiaSharp;

namespace DipDefense.Baselines;

/// <summary>
/// One in-memory JPEG round trip with SkiaSharp (Skia's libjpeg-turbo encoder and decoder): 8-bit RGB with 4:2:0
/// chroma subsampling (PIL's default) or 8-bit grey, no colour profile.
/// </summary>
internal static class JpegCodec
{
    /// <summary>Encodes the planes [channels, height, width] (channels 1 or 3) at <paramref name="quality"/> and decodes them back, in place.</summary>
    public static void RoundTrip(Span<byte> planar, int channels, int height, int width, int quality)
    {
        int plane = height * width;
        bool rgb = channels == 3;
        var info = new SKImageInfo(width, height, rgb ? SKColorType.Rgba8888 : SKColorType.Gray8, SKAlphaType.Opaque);
        var pixels = new byte[info.BytesSize];
        if (rgb)
            for (int p = 0; p < plane; p++)
            {
                pixels[4 * p] = planar[p];
                pixels[4 * p + 1] = planar[plane + p];
                pixels[4 * p + 2] = planar[2 * plane + p];
                pixels[4 * p + 3] = byte.MaxValue;
            }
        else
            planar[..plane].CopyTo(pixels);

        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using (var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes))
            using (var jpeg = pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}×{height} image as JPEG."))
            using (var codec = SKCodec.Create(jpeg)
                ?? throw new InvalidOperationException("SkiaSharp could not decode the JPEG it encoded."))
            {
                var result = codec.GetPixels(info, handle.AddrOfPinnedObject());
                if (result != SKCodecResult.Success)
                    throw new InvalidOperationException($"SkiaSharp could not decode the JPEG it encoded ({result}).");
            }
        }
        finally
        {
            handle.Free();
        }

        if (rgb)
            for (int p = 0; p < plane; p++)
            {
                planar[p] = pixels[4 * p];
                planar[plane + p] = pixels[4 * p + 1];
                planar[2 * plane + p] = pixels[4 * p + 2];
            }
        else
            pixels.AsSpan(0, plane).CopyTo(planar);
    }
}
