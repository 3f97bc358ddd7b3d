namespace DipDefense.Tests.Attacks;

/// <summary>
/// A tiny network (average pooling and two linear layers) trained (seeded, a few hundred ms on CPU) on a synthetic 4-class task: 3×16×16 images whose class is
/// the quadrant that is slightly brighter than the rest. Shared by every test of the "Attacks" collection.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    public const int Classes = 4;
    public const double Contrast = 0.05;

    public TinyModelFixture()
    {
        using var generator = new Generator(1234, CPU);
        (TrainImages, TrainLabels) = MakeData(512, generator);
        (TestImages, TestLabels) = MakeData(64, generator);

        // No convolution: written when libtorch 2.10's oneDNN convolutions gave wrong input gradients on AVX-512 machines for
        // output channels not a multiple of 16; the library now switches oneDNN off (docs/platform.md#onednn).
        Model = nn.Sequential(
            ("pool", nn.AvgPool2d(4)),
            ("flat", nn.Flatten()),
            ("hidden", nn.Linear(3 * 4 * 4, 16)),
            ("relu", nn.ReLU()),
            ("fc", nn.Linear(16, Classes)));
        // Initialise from the seeded generator, not the global RNG other test classes may be using.
        using (no_grad())
            foreach (var (name, p) in Model.named_parameters())
            {
                if (name.EndsWith("bias"))
                    p.zero_();
                else
                    p.uniform_(-1.0 / Math.Sqrt(p.numel() / p.shape[0]), 1.0 / Math.Sqrt(p.numel() / p.shape[0]), generator);
            }

        using var optimizer = optim.Adam(Model.parameters(), lr: 0.02);
        Model.train();
        for (int step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(Model.call(TrainImages), TrainLabels);
            loss.backward();
            optimizer.step();
        }
        optimizer.zero_grad();
        foreach (var p in Model.parameters())
            p.grad?.Dispose();
        Model.eval();
        CleanAccuracy = Accuracy(TestImages);
    }

    public nn.Module<Tensor, Tensor> Model { get; }
    public Tensor TrainImages { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestImages { get; }
    public Tensor TestLabels { get; }
    public double CleanAccuracy { get; }

    /// <summary>Accuracy of the model on <paramref name="images"/> against <see cref="TestLabels"/>.</summary>
    public double Accuracy(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Model.call(images).argmax(1).eq(TestLabels).to_type(ScalarType.Float32).mean().item<float>();
    }

    /// <summary>Images: grey level in [0.3, 0.6] plus ±0.15 uniform pixel noise; the class quadrant gets +Contrast.</summary>
    public static (Tensor Images, Tensor Labels) MakeData(int n, Generator generator)
    {
        using var scope = NewDisposeScope();
        var labels = randint(0, Classes, new long[] { n }, ScalarType.Int64, CPU, generator: generator);
        var grey = rand(new long[] { n, 1, 1, 1 }, generator: generator) * 0.3 + 0.3;
        var noise = (rand(new long[] { n, 3, 16, 16 }, generator: generator) - 0.5) * 0.3;
        var quadrants = zeros(n, Classes, 16, 16);
        quadrants[.., 0, ..8, ..8] = 1;
        quadrants[.., 1, ..8, 8..] = 1;
        quadrants[.., 2, 8.., ..8] = 1;
        quadrants[.., 3, 8.., 8..] = 1;
        var mask = quadrants.gather(1, labels.view(n, 1, 1, 1).expand(n, 1, 16, 16));
        var images = (grey + noise + Contrast * mask).clamp(0.0, 1.0).to_type(ScalarType.Float32);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Model.Dispose();
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}

/// <summary>The collection that shares one <see cref="TinyModelFixture"/> (and runs its classes one after another).</summary>
[CollectionDefinition(Name)]
public sealed class AttacksCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "Attacks";
}

/// <summary>Tensor comparisons for the attack tests.</summary>
public static class Tensors
{
    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
            return false;
        using var result = a.eq(b).all();
        return result.item<bool>();
    }
}
