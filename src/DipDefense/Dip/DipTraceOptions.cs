namespace DipDefense.Dip;

/// <summary>Settings of a DIP trace (docs/method.md, step 1). Defaults are the paper's CIFAR-10 settings.</summary>
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
        if (Network is null) Fail("Network must not be null.");
        Network!.Validate(paramName);
    }
}
