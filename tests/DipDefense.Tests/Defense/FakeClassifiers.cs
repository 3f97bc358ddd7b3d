using DipDefense.Victims;

namespace DipDefense.Tests.Defense;

/// <summary>A test-only victim whose label is a function of each image's mean brightness.</summary>
internal abstract class BrightnessClassifier : IClassifier
{
    private long queries;

    public abstract int NumClasses { get; }

    public long QueryCount => Interlocked.Read(ref queries);

    public void ResetQueryCount() => Interlocked.Exchange(ref queries, 0);

    public List<long> CallSizes { get; } = [];

    /// <summary>One-hot logits of <see cref="Predict"/>.</summary>
    public Tensor Logits(Tensor images)
    {
        using var scope = NewDisposeScope();
        var labels = Predict(images);
        return nn.functional.one_hot(labels, NumClasses).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public Tensor Predict(Tensor images)
    {
        Assert.Equal(4, images.dim());
        Interlocked.Add(ref queries, images.shape[0]);
        lock (CallSizes) CallSizes.Add(images.shape[0]);
        using var scope = NewDisposeScope();
        var mean = images.detach().to(ScalarType.Float64).mean([1, 2, 3]);
        return Label(mean).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    protected abstract Tensor Label(Tensor meanBrightness);
}

/// <summary>Label 1 when the mean brightness exceeds <paramref name="threshold"/>, else 0.</summary>
internal sealed class ThresholdClassifier(double threshold = 0.5) : BrightnessClassifier
{
    public override int NumClasses => 2;

    protected override Tensor Label(Tensor meanBrightness) => meanBrightness.gt(threshold);
}

/// <summary>Label ⌊mean brightness · <paramref name="bins"/>⌋ (clamped): many boundaries, so DIP traces cross some.</summary>
internal sealed class BrightnessBinsClassifier(int bins = 40) : BrightnessClassifier
{
    public override int NumClasses => bins;

    protected override Tensor Label(Tensor meanBrightness) => meanBrightness.mul(bins).floor().clamp(0, bins - 1);
}

/// <summary>
/// Graded probabilities: three classes with prototypes 0.2, 0.5 and 0.8 of mean brightness v, logits −50·(v − c_k)², so
/// the runner-up classes keep a known share of the probability (what <see cref="DipDefense.Defense.SnapshotVote"/> sums).
/// </summary>
internal sealed class PrototypeClassifier : IClassifier
{
    private static readonly double[] Prototypes = [0.2, 0.5, 0.8];
    private long queries;

    public int NumClasses => Prototypes.Length;

    public long QueryCount => Interlocked.Read(ref queries);

    public void ResetQueryCount() => Interlocked.Exchange(ref queries, 0);

    /// <summary>The softmax of the logits for mean brightness <paramref name="v"/>, computed by hand.</summary>
    public static double[] Probabilities(double v)
    {
        double[] e = [.. Prototypes.Select(c => Math.Exp(-50 * (v - c) * (v - c)))];
        return [.. e.Select(x => x / e.Sum())];
    }

    public Tensor Logits(Tensor images)
    {
        Interlocked.Add(ref queries, images.shape[0]);
        using var scope = NewDisposeScope();
        var mean = images.detach().to(ScalarType.Float64).mean([1, 2, 3]).unsqueeze(1);
        var centres = tensor(Prototypes, device: images.device).unsqueeze(0);
        return mean.sub(centres).square().mul(-50).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public Tensor Predict(Tensor images)
    {
        using var logits = Logits(images);
        return logits.argmax(1);
    }
}
