using DipDefense.Defense;

namespace DipDefense.Tests.Attacks;

/// <summary>
/// A randomized test purifier: adds Gaussian noise (σ = 0.02) drawn from its seed and clamps to [0, 1]. Instances made by
/// <see cref="WithSeed"/> share one log of the seeds purified with.
/// </summary>
internal sealed class NoisyPurifier(long seed = 0, List<long>? seeds = null) : IPurifier
{
    /// <summary>The seed of every <see cref="Purify"/> call so far, in order, over this purifier and its reseeded copies.</summary>
    public List<long> Seeds { get; } = seeds ?? [];

    public string Name => "noisy";

    public bool IsRandomized => true;

    public IPurifier WithSeed(long seed) => new NoisyPurifier(seed, Seeds);

    public PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Seeds.Add(seed);
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var noisy = images.add(randn(images.shape, generator: generator).mul_(0.02)).clamp_(0, 1);
        return new PurifierResult(noisy.MoveToOuterDisposeScope());
    }
}
