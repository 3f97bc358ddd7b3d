using DipDefense.Tests.Defense;
using DipDefense.Victims;

namespace DipDefense.Tests.Victims;

/// <summary><see cref="ClassifierExtensions"/> on test victims of known logits.</summary>
public class ClassifierExtensionsTests
{
    [Fact]
    public void LabelsAndMarginsAreTheArgmaxAndTheGapToTheRunnerUp()
    {
        // Prototype logits −50·(v − c)² for c = 0.2, 0.5, 0.8: at v = 0.8 class 2 leads class 1 by 4.5; at v = 0.35 classes 0
        // and 1 tie (margin 0, the first one wins).
        using var images = stack([full([1, 4, 4], 0.8f), full([1, 4, 4], 0.35f)]);
        var (labels, margins) = new PrototypeClassifier().PredictLabelsAndMargins(images);
        Assert.Equal([2L, 0L], labels);
        Assert.Equal(4.5, margins[0], 4);
        Assert.Equal(0, margins[1], 4);
    }

    [Fact]
    public void AVictimThatAnswersForOtherImagesFailsClearly()
    {
        using var images = zeros(3, 1, 4, 4);
        var error = Assert.Throws<InvalidOperationException>(() => new DroppingClassifier().PredictLabelsAndMargins(images));
        Assert.Contains("for 3 images", error.Message);
    }

    /// <summary>A broken victim: logits for one image fewer than it was given.</summary>
    private sealed class DroppingClassifier : IClassifier
    {
        public int NumClasses => 2;

        public long QueryCount => 0;

        public void ResetQueryCount() { }

        public Tensor Logits(Tensor images) => zeros(images.shape[0] - 1, 2);

        public Tensor Predict(Tensor images) => zeros(images.shape[0] - 1, ScalarType.Int64);
    }
}
