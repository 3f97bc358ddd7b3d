using DipDefense.Victims;
using Microsoft.ML;
using static Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator;

/// <summary>
/// A victim's preprocessing as ExtractPixels expresses it. The victim expects (x · Scale − Mean[c]) / Std[c] on pixels
/// x = p / 255 in [0, 1]; ExtractPixels computes (p − offset) · scale on the bytes p, so channel c needs
/// offset 255 · Mean[c] / Scale and scale Scale / (255 · Std[c]).
/// </summary>
sealed record PixelPreprocessing(float[] Offsets, float[] Scales)
{
    static readonly ColorBits[] Planes = [ColorBits.Red, ColorBits.Green, ColorBits.Blue];

    /// <summary>The offsets and scales of <paramref name="victim"/>'s preprocessing for images of <paramref name="channels"/> channels (1 or 3).</summary>
    public static PixelPreprocessing Of(OnnxClassifierOptions victim, int channels)
    {
        if (channels is not (1 or 3))
            throw new InvalidDataException($"the victim takes images of {channels} channels; image files give 1 (grey) or 3 (RGB).");
        if (victim.Scale == 0)
            throw new ArgumentException("--scale must be nonzero.");
        float[] PerChannel(float[]? values, float fallback, string option) =>
            values is null ? Enumerable.Repeat(fallback, channels).ToArray()
            : values.Length == channels ? values
            : throw new ArgumentException($"{option} needs one value per channel ({channels}); got {values.Length}.");
        float[] mean = PerChannel(victim.Mean, 0, "--mean"), std = PerChannel(victim.Std, 1, "--std");
        return new PixelPreprocessing(
            mean.Select(m => 255 * m / victim.Scale).ToArray(),
            std.Select(s => victim.Scale / (255 * s)).ToArray());
    }

    /// <summary>Whether every channel has the same offset and scale, so that one ExtractPixels does it all.</summary>
    public bool Uniform => Offsets.All(o => o == Offsets[0]) && Scales.All(s => s == Scales[0]);

    /// <summary>The ML.NET stages of <see cref="Extract"/>, for the notebook's output.</summary>
    public string Stages => Uniform ? "ExtractPixels" : $"ExtractPixels x{Offsets.Length} → Concatenate";

    /// <summary>
    /// The stages that turn the image column <paramref name="image"/> into the victim's input <paramref name="output"/>,
    /// planar [C, H, W]: one ExtractPixels when the channels share their offset and scale, else one per channel and a Concatenate.
    /// </summary>
    public IEstimator<ITransformer> Extract(MLContext mlContext, string output, string image)
    {
        if (Uniform)
            return mlContext.Transforms.ExtractPixels(output, image, Offsets.Length == 1 ? ColorBits.Red : ColorBits.Rgb,
                offsetImage: Offsets[0], scaleImage: Scales[0]);
        string[] planes = Enumerable.Range(0, Offsets.Length).Select(c => $"{output}.{Planes[c]}").ToArray();
        IEstimator<ITransformer> chain = mlContext.Transforms.ExtractPixels(planes[0], image, Planes[0], offsetImage: Offsets[0], scaleImage: Scales[0]);
        for (int c = 1; c < planes.Length; c++)
            chain = chain.Append(mlContext.Transforms.ExtractPixels(planes[c], image, Planes[c], offsetImage: Offsets[c], scaleImage: Scales[c]));
        return chain.Append(mlContext.Transforms.Concatenate(output, planes));
    }

    /// <summary>"ExtractPixels offset 0, scale 0.003922", or the values of each channel.</summary>
    public override string ToString() => Uniform
        ? $"ExtractPixels offset {Offsets[0]:0.###}, scale {Scales[0]:0.######}"
        : $"ExtractPixels per channel, offsets {string.Join(" ", Offsets.Select(o => o.ToString("0.###")))}, scales {string.Join(" ", Scales.Select(s => s.ToString("0.######")))}";
}
