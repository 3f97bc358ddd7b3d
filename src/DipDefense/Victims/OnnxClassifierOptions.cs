namespace DipDefense.Victims;

/// <summary>
/// How an <see cref="OnnxClassifier"/> binds to its model and preprocesses images before running it.
/// </summary>
/// <remarks>
/// Images reach the classifier as float32 values in [0, 1]. Before the model runs, every value <c>x</c>
/// of channel <c>c</c> becomes <c>(x * Scale - Mean[c]) / Std[c]</c>; with the defaults this is the identity,
/// which suits models that normalise inside the graph.
/// </remarks>
public sealed record OnnxClassifierOptions
{
    /// <summary>
    /// The model input that receives the image batch; <see langword="null"/> (the default) detects it,
    /// which requires the model to have exactly one input.
    /// </summary>
    public string? InputName { get; init; }

    /// <summary>
    /// The model output that holds the logits <c>[N, K]</c>; <see langword="null"/> (the default) detects it,
    /// which requires the model to have exactly one output.
    /// </summary>
    public string? OutputName { get; init; }

    /// <summary>
    /// Images per model run when the model's batch dimension is dynamic (default 64; at least 1).
    /// A model with a fixed batch dimension B always runs chunks of B images: the last chunk is padded
    /// with zero images and the padded outputs are dropped.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Factor applied to every input value first (default 1; must be finite).</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>
    /// Per-channel mean subtracted after scaling; <see langword="null"/> (the default) subtracts nothing.
    /// Its length must equal the number of image channels.
    /// </summary>
    public float[]? Mean { get; init; }

    /// <summary>
    /// Per-channel standard deviation divided by after subtracting <see cref="Mean"/>; <see langword="null"/>
    /// (the default) divides by 1. Its length must equal the number of image channels and every value must be
    /// finite and greater than zero.
    /// </summary>
    public float[]? Std { get; init; }

    /// <summary>
    /// Threads ONNX Runtime uses inside one operator; 0 (the default) keeps ONNX Runtime's default.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether the preprocessing is the identity (no scaling, mean or std).</summary>
    internal bool IsIdentityPreprocessing => Scale == 1f && Mean is null && Std is null;

    /// <summary>
    /// Checks every option; when <paramref name="channels"/> is known, also checks the lengths of
    /// <see cref="Mean"/> and <see cref="Std"/> against it. Each message names the offending option.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    internal void Validate(int? channels = null)
    {
        const string prefix = nameof(OnnxClassifierOptions) + ".";
        if (InputName is not null && string.IsNullOrWhiteSpace(InputName))
            throw new ArgumentException($"{prefix}{nameof(InputName)} must be null (detect) or a non-empty name.", nameof(InputName));
        if (OutputName is not null && string.IsNullOrWhiteSpace(OutputName))
            throw new ArgumentException($"{prefix}{nameof(OutputName)} must be null (detect) or a non-empty name.", nameof(OutputName));
        if (BatchSize < 1)
            throw new ArgumentException($"{prefix}{nameof(BatchSize)} must be at least 1; got {BatchSize}.", nameof(BatchSize));
        if (!float.IsFinite(Scale))
            throw new ArgumentException($"{prefix}{nameof(Scale)} must be finite; got {Scale}.", nameof(Scale));
        if (IntraOpThreads < 0)
            throw new ArgumentException($"{prefix}{nameof(IntraOpThreads)} must be 0 (ONNX Runtime default) or positive; got {IntraOpThreads}.", nameof(IntraOpThreads));
        if (Mean is not null)
        {
            if (Mean.Length == 0)
                throw new ArgumentException($"{prefix}{nameof(Mean)} must be null or hold one value per channel; it is empty.", nameof(Mean));
            for (int i = 0; i < Mean.Length; i++)
                if (!float.IsFinite(Mean[i]))
                    throw new ArgumentException($"{prefix}{nameof(Mean)}[{i}] must be finite; got {Mean[i]}.", nameof(Mean));
        }
        if (Std is not null)
        {
            if (Std.Length == 0)
                throw new ArgumentException($"{prefix}{nameof(Std)} must be null or hold one value per channel; it is empty.", nameof(Std));
            for (int i = 0; i < Std.Length; i++)
                if (!float.IsFinite(Std[i]) || Std[i] <= 0f)
                    throw new ArgumentException($"{prefix}{nameof(Std)}[{i}] must be finite and greater than 0; got {Std[i]}.", nameof(Std));
        }
        if (Mean is not null && Std is not null && Mean.Length != Std.Length)
            throw new ArgumentException($"{prefix}{nameof(Mean)} has {Mean.Length} values but {prefix}{nameof(Std)} has {Std.Length}; both need one per channel.", nameof(Std));
        if (channels is int c)
        {
            if (Mean is not null && Mean.Length != c)
                throw new ArgumentException($"{prefix}{nameof(Mean)} has {Mean.Length} values but the images have {c} channels.", nameof(Mean));
            if (Std is not null && Std.Length != c)
                throw new ArgumentException($"{prefix}{nameof(Std)} has {Std.Length} values but the images have {c} channels.", nameof(Std));
        }
    }
}
