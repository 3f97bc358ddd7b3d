using DipDefense.Onnx;
using DipDefense.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DipDefense.Tests.Onnx;

/// <summary>The shared CIFAR-10 ResNet-20 imported with <see cref="OnnxImporter"/> against ONNX Runtime.</summary>
public class ResNet20ImportTests
{
    readonly ITestOutputHelper _output;

    public ResNet20ImportTests(ITestOutputHelper output) => _output = output;

    [SharedDataFact]
    public void LogitsMatchOnnxRuntimeOnAll500Images()
    {
        using var model = OnnxImporter.Load(SharedData.ResNet20);
        using var ort = new OrtReference(SharedData.ResNet20);
        var (images, labels) = Cifar10TestImages.Load(SharedData.Cifar10Batch);
        using var _i = images;
        using var _l = labels;
        Assert.Equal(500, images.shape[0]);

        double worst = 0;
        for (long start = 0; start < 500; start += 100)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var batch = images.narrow(0, start, 100);
            var ours = model.call(batch);
            var reference = ort.Run(batch);
            Assert.Equal(new long[] { 100, 10 }, ours.shape);
            Assert.Equal(reference.shape, ours.shape);
            worst = Math.Max(worst, (ours - reference).abs().max().item<float>());
        }
        _output.WriteLine($"max |logit difference| over 500 images: {worst:E3}");
        Assert.True(worst <= 1e-4, $"max abs logit difference {worst} exceeds 1e-4");
    }

    [SharedDataFact]
    public void InputGradientsAreFiniteAndNonZero()
    {
        using var model = OnnxImporter.Load(SharedData.ResNet20);
        var (images, labels) = Cifar10TestImages.Load(SharedData.Cifar10Batch);
        using var _i = images;
        using var _l = labels;
        using var scope = torch.NewDisposeScope();
        var x = images.narrow(0, 0, 32).clone().requires_grad_(true);
        var loss = nn.functional.cross_entropy(model.call(x), labels.narrow(0, 0, 32));
        loss.backward();

        Assert.NotNull(x.grad);
        var grad = x.grad!;
        Assert.Equal(x.shape, grad.shape);
        Assert.True(grad.isfinite().all().item<bool>(), "input gradient has non-finite values");
        Assert.True(grad.abs().sum().item<float>() > 0, "input gradient is all zero");
        Assert.All(model.buffers(), b => Assert.False(b.requires_grad));
        Assert.Empty(model.parameters());
    }

    [SharedDataFact]
    public void AccuracyOnThe500ImagesIs0910()
    {
        using var model = OnnxImporter.Load(SharedData.ResNet20);
        var (images, labels) = Cifar10TestImages.Load(SharedData.Cifar10Batch);
        using var _i = images;
        using var _l = labels;
        long correct = 0;
        for (long start = 0; start < 500; start += 100)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var predicted = model.call(images.narrow(0, start, 100)).argmax(1);
            correct += predicted.eq(labels.narrow(0, start, 100)).sum().item<long>();
        }
        double accuracy = correct / 500.0;
        _output.WriteLine($"accuracy: {accuracy:F3}");
        Assert.InRange(accuracy, 0.908, 0.912);
    }

    [SharedDataFact]
    public void ShapeSubgraphIsFoldedAtImport()
    {
        using var model = OnnxImporter.Load(SharedData.ResNet20);
        Assert.Equal("input", model.InputName);
        Assert.Equal("logits", model.OutputName);
        Assert.Equal(new long[] { -1, 3, 32, 32 }, model.InputShape);
        Assert.True(model.FoldedNodeCount > 0);
        var runtime = model.RuntimeOps.ToHashSet();
        foreach (var folded in new[] { "Constant", "ConstantOfShape", "Concat", "Reshape", "Transpose", "Cast" })
            Assert.DoesNotContain(folded, runtime);
        Assert.Contains("Conv", runtime);
        Assert.Contains("Pad", runtime);
    }

    [SharedDataFact]
    public void WrongChannelCountIsRejectedWithTheExpectedShape()
    {
        using var model = OnnxImporter.Load(SharedData.ResNet20);
        using var x = torch.zeros(2, 1, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => model.call(x));
        Assert.Contains("[N,3,32,32]", e.Message);
        Assert.Contains("[2,1,32,32]", e.Message);
    }
}
