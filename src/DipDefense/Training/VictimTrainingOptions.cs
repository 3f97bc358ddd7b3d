namespace DipDefense.Training;

/// <summary>Settings of <see cref="VictimTrainer"/>: Adam on the cross-entropy loss over shuffled mini-batches.</summary>
public sealed record VictimTrainingOptions
{
    /// <summary>Passes over the training set. Default 5.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Images per Adam step (the last batch of an epoch may be smaller). Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam learning rate (β = (0.9, 0.999), ε = 1e-8, no weight decay, no schedule). Default 0.001.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Seed of every random choice: a CPU generator with this seed draws the initial weights and then the
    /// order of the images in each epoch. Same seed, data and device → same model. Default 0.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>The network's widths. Default <see cref="SmallCnnConfig"/>'s defaults (16 and 32 channels).</summary>
    public SmallCnnConfig Network { get; init; } = new();

    /// <summary>Images per forward pass when measuring accuracy (speed only). Default 1000.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Checks every setting.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        void Fail(string message) => throw new ArgumentException($"Invalid VictimTrainingOptions: {message}", paramName);

        if (Epochs <= 0) Fail($"Epochs must be positive; got {Epochs}.");
        if (BatchSize <= 0) Fail($"BatchSize must be positive; got {BatchSize}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"LearningRate must be positive and finite; got {LearningRate}.");
        if (EvaluationBatchSize <= 0) Fail($"EvaluationBatchSize must be positive; got {EvaluationBatchSize}.");
        if (Network is null) Fail("Network must not be null.");
        Network!.Validate(paramName);
    }
}
