using DipDefense.Victims;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// A defense in front of a victim, seen as one classifier: every query purifies the images with an
/// <see cref="IPurifier"/> and classifies the purified images with the victim. For decision-based attacks
/// (e.g. HopSkipJump) against the defended system and for its accuracy.
/// </summary>
/// <remarks>
/// <see cref="QueryCount"/> counts the images queried through the defense (one per image), the budget of a
/// decision-based attacker; the victim's own count also grows by the purifier's internal queries. Each query is one
/// <see cref="IPurifier.Purify"/> call, so a randomized purifier gives the same answer for the same images (it is
/// seeded). Neither the purifier nor the victim is owned: the caller disposes them.
/// </remarks>
public sealed class PurifiedClassifier : IClassifier
{
    private long queries;

    /// <summary>Puts <paramref name="purifier"/> in front of <paramref name="victim"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PurifiedClassifier(IPurifier purifier, IClassifier victim)
    {
        ArgumentNullException.ThrowIfNull(purifier);
        ArgumentNullException.ThrowIfNull(victim);
        Purifier = purifier;
        Victim = victim;
    }

    /// <summary>The defense.</summary>
    public IPurifier Purifier { get; }

    /// <summary>The classifier behind it.</summary>
    public IClassifier Victim { get; }

    /// <inheritdoc />
    public int NumClasses => Victim.NumClasses;

    /// <summary>Images queried through the defense so far (one per image, not per call).</summary>
    public long QueryCount => Interlocked.Read(ref queries);

    /// <inheritdoc />
    public void ResetQueryCount() => Interlocked.Exchange(ref queries, 0);

    /// <summary>The victim's logits float32 [N, K] of the purified <paramref name="images"/> [N, C, H, W] in [0, 1].</summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not a valid batch for the purifier.</exception>
    public Tensor Logits(Tensor images)
    {
        using var purified = Purify(images);
        return Victim.Logits(purified.Purified);
    }

    /// <summary>The victim's labels int64 [N] of the purified <paramref name="images"/> [N, C, H, W] in [0, 1].</summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not a valid batch for the purifier.</exception>
    public Tensor Predict(Tensor images)
    {
        using var purified = Purify(images);
        return Victim.Predict(purified.Purified);
    }

    private PurifierResult Purify(Tensor images)
    {
        var result = Purifier.Purify(images);
        Interlocked.Add(ref queries, images.shape[0]);
        return result;
    }
}
