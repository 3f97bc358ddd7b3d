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
