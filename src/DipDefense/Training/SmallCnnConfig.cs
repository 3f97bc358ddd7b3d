namespace DipDefense.Training;

/// <summary>
/// The widths of <see cref="SmallCnn"/>: two 3×3 convolution blocks (convolution, ReLU, 2×2 max pooling)
/// followed by one linear layer. The defaults give about 20,000 parameters for 28×28 grey images and 10 classes.
/// </summary>
public sealed record SmallCnnConfig
{
    /// <summary>Output channels of the first convolution. Default 16.</summary>
    public int Conv1Channels { get; init; } = 16;

    /// <summary>Output channels of the second convolution. Default 32.</summary>
    public int Conv2Channels { get; init; } = 32;

    /// <summary>Checks that both widths are positive.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A width is not positive; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "config";
        if (Conv1Channels <= 0)
            throw new ArgumentException($"Invalid SmallCnnConfig: Conv1Channels must be positive; got {Conv1Channels}.", paramName);
        if (Conv2Channels <= 0)
            throw new ArgumentException($"Invalid SmallCnnConfig: Conv2Channels must be positive; got {Conv2Channels}.", paramName);
    }
}
