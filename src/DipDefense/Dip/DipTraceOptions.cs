namespace DipDefense.Dip;

/// <summary>Settings of a DIP trace (docs/method.md#the-algorithm, step 1). Defaults are the paper's CIFAR-10 settings.</summary>
public sealed record DipTraceOptions
{
    /// <summary>Adam iterations T. Default 1000. Must be a positive multiple of <see cref="Snapshots"/>.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Snapshots M taken at equal intervals, at iterations T/M, 2T/M, …, T. Default 200.</summary>
    public int Snapshots { get; init; } = 200;

    /// <summary>Adam learning rate (no decay, no weight decay, β = (0.9, 0.999), ε = 1e-8). Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>The generator architecture. Default <see cref="DipNetworkConfig.Medium"/>.</summary>
    public DipNetworkConfig Network { get; init; } = DipNetworkConfig.Medium;

    /// <summary>
    /// Base seed. Image b of a batch uses seed <c>Seed + b</c> for both its noise z and its network's
    /// initial weights, so a batched trace equals separate single-image traces run with those seeds.
    /// Default 0.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>
    /// σ_z, the input-noise regularisation of the official DIP code (<c>reg_noise_std</c> of its
    /// <c>denoising.ipynb</c>; docs/method.md#dip-regularisation): at every iteration the generator's input is z + n with fresh
    /// Gaussian noise n of this standard deviation, drawn from the image's own seeded generator (so a batched trace
    /// still equals the single-image one). It delays the fitting of high-frequency (adversarial) noise. 0 switches it
    /// off (the plain fit). Default 1/30 (calibrated: docs/results/calibration.md). Finite and ≥ 0.
    /// </summary>
    public double InputNoiseStd { get; init; } = 1.0 / 30;

    /// <summary>
    /// β, the output averaging of the official DIP code (<c>exp_weight</c>): when positive, every snapshot is the
    /// exponential moving average a_t = β·a_{t−1} + (1 − β)·g(z_t) of the outputs of all iterations so far
    /// (a_1 = g(z_1)) instead of the output of its own iteration; the losses stay those of the outputs. 0 switches it
    /// off. The official value is 0.99. Default 0 (calibrated: docs/results/calibration.md). In [0, 1).
    /// </summary>
    public double OutputAveraging { get; init; }

    /// <summary>
    /// Whether a snapshot is the generator's output for the unperturbed input z (an extra forward pass without gradient
    /// at each snapshot) instead of the output of the iteration's perturbed input z + n that the loss was taken from.
    /// Only matters when <see cref="InputNoiseStd"/> is positive and <see cref="OutputAveraging"/> is 0. The official
    /// DIP code reports the perturbed output; the noise-free one shows the fitted function without the perturbation's
    /// flicker (docs/method.md, "DIP regularisation"). Default false (calibrated: docs/results/calibration.md).
    /// </summary>
    public bool NoiseFreeSnapshots { get; init; }

    /// <summary>
    /// Threads that fit the images of one call in parallel, each a share of the batch on one libtorch thread
    /// (speed only: a trace does not depend on it). 0, the default, picks min(processors, B) on the CPU and 1 on other devices; see
    /// docs/performance.md. At least 0.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>Iterations between two snapshots, T / M.</summary>
    public int SnapshotInterval => Iterations / Snapshots;

    /// <summary>Checks every setting and the network configuration.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        void Fail(string message) => throw new ArgumentException($"Invalid DipTraceOptions: {message}", paramName);

        if (Iterations <= 0) Fail($"Iterations must be positive; got {Iterations}.");
        if (Snapshots <= 0) Fail($"Snapshots must be positive; got {Snapshots}.");
        if (Snapshots > Iterations) Fail($"Snapshots ({Snapshots}) must not exceed Iterations ({Iterations}).");
        if (Iterations % Snapshots != 0)
            Fail($"Iterations ({Iterations}) must be a multiple of Snapshots ({Snapshots}) so that snapshots are equally spaced.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"LearningRate must be positive and finite; got {LearningRate}.");
        if (!(InputNoiseStd >= 0) || double.IsInfinity(InputNoiseStd)) Fail($"InputNoiseStd must be finite and non-negative; got {InputNoiseStd}.");
        if (!(OutputAveraging >= 0 && OutputAveraging < 1)) Fail($"OutputAveraging must lie in [0, 1); got {OutputAveraging}.");
        if (Workers < 0) Fail($"Workers must be 0 (automatic) or positive; got {Workers}.");
        if (Network is null) Fail("Network must not be null.");
        Network!.Validate(paramName);
    }
}
