using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>Seeded random sources of the DIP trace, one CPU generator per image.</summary>
internal static class DipRandom
{
    /// <summary>A CPU generator seeded with <paramref name="seed"/> (its two's-complement bits for negative seeds).</summary>
    public static Generator CreateGenerator(long seed) => new Generator(unchecked((ulong)seed), CPU);

    /// <summary>The fixed input noise z: [B, C_z, H, W], image b's uniform in [0, scale) from <paramref name="generators"/>[b], on the CPU.</summary>
    public static Tensor Noise(DipNetworkConfig network, long height, long width, IReadOnlyList<Generator> generators)
    {
        using var scope = NewDisposeScope();
        var noises = generators.Select(g => rand([network.NoiseChannels, height, width], ScalarType.Float32, generator: g)).ToArray();
        using var scale = network.NoiseScale.ToScalar();
        return stack(noises).mul_(scale).MoveToOuterDisposeScope();
    }

    /// <summary>One iteration's input perturbation: [B, C_z, H, W], image b's standard normal from <paramref name="generators"/>[b], on the CPU.</summary>
    public static Tensor Perturbation(DipNetworkConfig network, long height, long width, IReadOnlyList<Generator> generators)
    {
        using var scope = NewDisposeScope();
        var noises = generators.Select(g => randn([network.NoiseChannels, height, width], ScalarType.Float32, generator: g)).ToArray();
        return stack(noises).MoveToOuterDisposeScope();
    }
}
