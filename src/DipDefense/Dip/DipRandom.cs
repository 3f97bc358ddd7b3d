using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>Seeded random sources of the DIP trace.</summary>
internal static class DipRandom
{
    /// <summary>A CPU generator seeded with <paramref name="seed"/> (its two's-complement bits for negative seeds).</summary>
    public static Generator CreateGenerator(long seed) => new Generator(unchecked((ulong)seed), CPU);

    /// <summary>Noise [channels, H, W], uniform in [0, scale), drawn from <paramref name="generator"/> on the CPU.</summary>
    public static Tensor Noise(int channels, long height, long width, double scale, Generator generator)
    {
        using (no_grad())
            return rand([channels, height, width], ScalarType.Float32, generator: generator).mul_(scale);
    }
}
