using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Victims;

/// <summary>A TorchSharp module mapping images to logits, queried as an <see cref="IClassifier"/>.</summary>
/// <remarks>
/// The module is called as it is (put it in evaluation mode first) under <c>torch.no_grad()</c>, on the images' device
/// (move the module there). Every image passed to <see cref="Logits"/> or <see cref="Predict"/> counts as one query;
/// the count is thread-safe. The classifier does not own the module: the caller disposes it.
/// </remarks>
public sealed class ModuleClassifier : IClassifier
{
    private readonly nn.Module<Tensor, Tensor> model;
    private long queries;

    /// <summary>Wraps <paramref name="model"/>: images [N, C, H, W] in [0, 1] → logits [N, <paramref name="numClasses"/>].</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 2.</exception>
    public ModuleClassifier(nn.Module<Tensor, Tensor> model, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (numClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"numClasses must be at least 2; got {numClasses}.");
        this.model = model;
        NumClasses = numClasses;
    }

    /// <inheritdoc />
    public int NumClasses { get; }

    /// <inheritdoc />
    public long QueryCount => Interlocked.Read(ref queries);

    /// <inheritdoc />
    public void ResetQueryCount() => Interlocked.Exchange(ref queries, 0);

    /// <inheritdoc />
    public Tensor Logits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Interlocked.Add(ref queries, images.shape[0]);
        using var _ = no_grad();
        return model.call(images);
    }

    /// <inheritdoc />
    public Tensor Predict(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Logits(images).argmax(1).MoveToOuterDisposeScope();
    }
}
