using DipDefense.Data;
using DipDefense.Defense;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// JPEG compression as a defense (Dziugaite et al. 2016, https://arxiv.org/abs/1608.00853; Das et al. 2017,
/// https://arxiv.org/abs/1705.02900), as IBM ART's <c>JpegCompression</c> preprocessor applies it: each image is
/// quantised to 8 bits, encoded as a JPEG in memory and decoded back; 3-channel images as RGB, any other channel
/// count one channel at a time as grey.
/// </summary>
/// <remarks>
/// <para>
/// Differences from ART, which goes through PIL: the codec is SkiaSharp's (Skia's libjpeg-turbo build), whose encoder
/// and decoder differ from PIL's libjpeg in rounding (colour conversion, DCT and chroma upsampling), so outputs match
/// ART's to a few /255, not bit for bit; both use the standard quantisation tables scaled by the quality and 4:2:0
/// chroma subsampling. Values are quantised as round(x·255) (the library's one 8-bit conversion), where ART truncates
/// (<c>astype(uint8)</c>), which turns some float32 k/255 into k − 1.
/// </para>
/// <para>Runs on the CPU (the images are copied there and back). Deterministic. Its BPDA substitute is the identity.</para>
/// </remarks>
public sealed class JpegCompression : ImageTransformPurifier
{
    /// <summary>Creates the compressor.</summary>
    /// <param name="options">Settings; null: the defaults (quality 75).</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public JpegCompression(JpegCompressionOptions? options = null)
    {
        options ??= new JpegCompressionOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public JpegCompressionOptions Options { get; }

    /// <summary><c>jpeg</c>.</summary>
    public override string Name => "jpeg";

    /// <summary>Compresses and decompresses every image (the token is checked before each).</summary>
    protected override Tensor Transform(Tensor images, CancellationToken cancellationToken)
    {
        int count = (int)images.shape[0], channels = (int)images.shape[1], height = (int)images.shape[2], width = (int)images.shape[3];
        int plane = height * width;
        var pixels = PixelConversion.ToBytes(images);
        for (int n = 0; n < count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var image = pixels.AsSpan(n * channels * plane, channels * plane);
            if (channels == 3)
                JpegCodec.RoundTrip(image, 3, height, width, Options.Quality);
            else
                for (int c = 0; c < channels; c++)
                    JpegCodec.RoundTrip(image.Slice(c * plane, plane), 1, height, width, Options.Quality);
        }
        return PixelConversion.ToTensor(pixels, images.shape).to(images.device);
    }
}
