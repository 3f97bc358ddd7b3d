using DipDefense.Dip;

namespace DipDefense.Baselines;

/// <summary>
/// Settings of <see cref="DipDefendPurifier"/>, DIPDefend (Dai et al., ACM MM 2020). The defaults are its reference
/// code's (Kira0096/DIPDefend, <c>defense_cifar.py</c>) for CIFAR-10.
/// </summary>
public sealed record DipDefendOptions
{
    /// <summary>
    /// DIPDefend's generator: the DIP "skip" network with channels [4, 8, 16] (down and up), no skip branches, 3×3
    /// kernels, bilinear upsampling, zero padding, LeakyReLU 0.2; its input z has 1 channel, uniform in [0, 0.1).
    /// </summary>
    public static DipNetworkConfig ReferenceNetwork { get; } = new()
    {
        Channels = [4, 8, 16],
        Kernels = [3, 3, 3],
        SkipChannels = [0, 0, 0],
        SkipKernel = 1,
        Upsampling = DipUpsampling.Bilinear,
        Padding = DipPadding.Zeros,
        NoiseChannels = 1,
        NoiseScale = 0.1,
        LeakySlope = 0.2,
    };

    /// <summary>The generator; its input z is optimised together with its weights. Default <see cref="ReferenceNetwork"/>.</summary>
    public DipNetworkConfig Network { get; init; } = ReferenceNetwork;

    /// <summary>Adam iterations T; all of them run (the output is chosen afterwards). Default 4000 (CIFAR-10). At least 1.</summary>
    public int Iterations { get; init; } = 4000;

    /// <summary>Adam learning rate (no decay, β = (0.9, 0.999), ε = 1e-8), for the weights and z alike. Default 0.01. Positive and finite.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>λ of the Holt double exponential smoothing of the PSNR series (<see cref="HoltSmoothing"/>). Default 0.002. In (0, 1].</summary>
    public double SmoothingFactor { get; init; } = 0.002;

    /// <summary>
    /// Side of the square patches of the PSNR: on images larger than this, the PSNR of an iteration is the minimum over
    /// the non-overlapping patches tiled from the top left (partial patches at the right and bottom are left out, as the
    /// reference crops); a side not larger than it is one patch. Default 32. At least 1.
    /// </summary>
    public int PsnrPatchSize { get; init; } = 32;

    /// <summary>Base seed: image i of a call draws its z and its network's initial weights from seed <c>Seed + i</c>. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Images fitted together (B independent networks, each its own convolutions); results do not depend on it. Default 16. At least 1.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Threads that fit the images of one batch in parallel, each a share of it on one libtorch thread (speed only: an
    /// image's result does not depend on it). 0, the default, picks min(processors, B) on the CPU and 1 on other devices,
    /// as the DIP trace does (docs/performance.md). At least 0.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>Checks every setting and the network.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, its range and its value.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        void Fail(string message) => throw new ArgumentException($"Invalid DipDefendOptions: {message}", paramName);

        if (Network is null) Fail($"{nameof(Network)} must not be null.");
        Network!.Validate(paramName);
        if (Iterations < 1) Fail($"{nameof(Iterations)} must be at least 1; got {Iterations}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"{nameof(LearningRate)} must be positive and finite; got {LearningRate}.");
        if (!(SmoothingFactor > 0 && SmoothingFactor <= 1)) Fail($"{nameof(SmoothingFactor)} must lie in (0, 1]; got {SmoothingFactor}.");
        if (PsnrPatchSize < 1) Fail($"{nameof(PsnrPatchSize)} must be at least 1; got {PsnrPatchSize}.");
        if (BatchSize < 1) Fail($"{nameof(BatchSize)} must be at least 1; got {BatchSize}.");
        if (Workers < 0) Fail($"{nameof(Workers)} must be 0 (automatic) or positive; got {Workers}.");
    }
}
