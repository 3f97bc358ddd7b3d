using System.Diagnostics;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;
using Xunit.Abstractions;

namespace DipDefense.Tests.Victims;

/// <summary>The CIFAR-10 ResNet-20 victim from ../shared, through <see cref="OnnxClassifier"/>.</summary>
public class OnnxClassifierResNet20Tests(ITestOutputHelper output)
{
    /// <summary>Reads the shared CIFAR-10 binary batch (1 label byte + 3072 R,G,B plane bytes per record).</summary>
    static (Tensor Images, long[] Labels) ReadCifar(int? limit = null)
    {
        const int record = 1 + 3 * 32 * 32;
        var bytes = File.ReadAllBytes(SharedData.Cifar10Batch);
        Assert.Equal(0, bytes.Length % record);
        int n = Math.Min(bytes.Length / record, limit ?? int.MaxValue);
        var pixels = new float[n * 3072];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[i * record];
            for (int j = 0; j < 3072; j++)
                pixels[i * 3072 + j] = bytes[i * record + 1 + j] / 255f;
        }
        return (torch.tensor(pixels, [n, 3, 32, 32]), labels);
    }

    [SharedDataFact]
    public void ResNet20_DetectsNamesAndShape()
    {
        using var classifier = new OnnxClassifier(SharedData.ResNet20);
        Assert.Equal("input", classifier.InputName);
        Assert.Equal("logits", classifier.OutputName);
        Assert.Equal(10, classifier.NumClasses);
        Assert.Equal(3, classifier.Channels);
        Assert.Equal(32, classifier.Height);
        Assert.Equal(32, classifier.Width);
        Assert.Null(classifier.FixedBatchSize);
        Assert.Equal(0, classifier.QueryCount);
        Assert.Equal(File.ReadAllBytes(SharedData.ResNet20), classifier.ModelBytes.ToArray());
    }

    [SharedDataFact]
    public void ResNet20_AccuracyOnFirst500_Is0910()
    {
        var (images, labels) = ReadCifar();
        using var _ = images;
        Assert.Equal(500, labels.Length);
        using var classifier = new OnnxClassifier(SharedData.ResNet20);

        var stopwatch = Stopwatch.StartNew();
        using var predictions = classifier.Predict(images);
        stopwatch.Stop();

        Assert.Equal(ScalarType.Int64, predictions.dtype);
        Assert.Equal(new long[] { 500 }, predictions.shape);
        var predicted = predictions.data<long>().ToArray();
        double accuracy = predicted.Zip(labels).Count(p => p.First == p.Second) / 500.0;
        output.WriteLine($"ResNet-20 accuracy {accuracy:F3} on 500 images; {500 / stopwatch.Elapsed.TotalSeconds:F0} images/s (first call, batch 64)");
        Assert.InRange(accuracy, 0.908, 0.912);
        Assert.Equal(500, classifier.QueryCount);

        stopwatch.Restart();
        using var logits = classifier.Logits(images);
        stopwatch.Stop();
        output.WriteLine($"second call: {500 / stopwatch.Elapsed.TotalSeconds:F0} images/s");
        Assert.Equal(new long[] { 500, 10 }, logits.shape);
        Assert.Equal(1000, classifier.QueryCount);
        classifier.ResetQueryCount();
        Assert.Equal(0, classifier.QueryCount);
    }

    [SharedDataFact]
    public void ResNet20_ChunksOf7_GiveTheSameLogitsAsChunksOf64()
    {
        var (images, _) = ReadCifar(limit: 100);
        using var __ = images;
        using var by64 = new OnnxClassifier(SharedData.ResNet20, new OnnxClassifierOptions { BatchSize = 64 });
        using var by7 = new OnnxClassifier(SharedData.ResNet20, new OnnxClassifierOptions { BatchSize = 7 });

        using var logits64 = by64.Logits(images);
        using var logits7 = by7.Logits(images);

        Assert.Equal(new long[] { 100, 10 }, logits7.shape);
        using var diff = (logits64 - logits7).abs().max();
        Assert.True(diff.item<float>() < 1e-5f, $"max abs diff {diff.item<float>()}");
        Assert.Equal(100, by7.QueryCount);
        // The logits differ between images: chunks were not mixed up or repeated.
        using var spread = (logits7[..50] - logits7[50..]).abs().max();
        Assert.True(spread.item<float>() > 0.1f);
    }
}
