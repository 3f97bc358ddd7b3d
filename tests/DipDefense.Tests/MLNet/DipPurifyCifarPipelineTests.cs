using System.Text.Json;
using DipDefense.Data;
using DipDefense.MLNet;
using DipDefense.Tests.Cli;
using DipDefense.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.Tests.MLNet;

/// <summary>
/// The whole ML.NET pipeline on shared CIFAR-10 images written as PNG files: LoadImages → ResizeImages → ExtractPixels →
/// DipPurify → ApplyOnnxModel (the ResNet-20 victim), against <c>dipdefense purify</c> with the same seeds (T = 20, M = 10).
/// </summary>
public sealed class DipPurifyCifarPipelineTests : IDisposable
{
    const int Count = 6, Batch = 3;
    const long Seed = 3;

    public sealed class FileRow
    {
        public string Path { get; set; } = "";
    }

    readonly TempDir dir = new();
    readonly MLContext mlContext = new(seed: 1);

    public void Dispose() => dir.Dispose();

    /// <summary>Writes the first <see cref="Count"/> shared images as PNG files; returns their labels.</summary>
    long[] WritePngs()
    {
        using var all = DatasetReader.Read(SharedData.Cifar10Batch);
        using var part = all.Slice(0, Count);
        for (int i = 0; i < Count; i++)
        {
            using var image = part.Images[i];
            PngImage.Save(image, Path.Combine(dir.Path, $"{i}.png"));
        }
        return part.Labels.data<long>().ToArray();
    }

    DipPurifyOptions Options(string output, string input, float scale) => new()
    {
        OutputColumnName = output,
        InputColumnName = input,
        ModelPath = SharedData.ResNet20,
        Iterations = 20,
        Snapshots = 10,
        WarmUp = 2,
        Seed = Seed,
        BatchSize = Batch,
        ScaleImage = scale,
        PurifiedLabelColumnName = "purified_label",
    };

    /// <summary>
    /// Runs <paramref name="pipeline"/> on the PNG files: the victim's argmax, the diagnostic labels, and the planar bytes
    /// of the MLImage column <paramref name="imageColumn"/> when given.
    /// </summary>
    (long[] Predicted, long[] PurifierLabels, List<byte[]> Images) Run(IEstimator<ITransformer> pipeline, string? imageColumn = null)
    {
        var files = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, Count).Select(i => new FileRow { Path = $"{i}.png" }));
        using var model = (IDisposable)pipeline.Fit(files);
        var output = ((ITransformer)model).Transform(files);
        var logits = MLNetTestData.Vectors(output, "logits");
        var images = imageColumn is null ? [] : MLNetTestData.Column<MLImage, byte[]>(output, imageColumn, MLNetTestData.Planar);
        return ([.. logits.Select(l => (long)Array.IndexOf(l, l.Max()))], [.. MLNetTestData.Column<long>(output, "purified_label")], images);
    }

    static double Accuracy(long[] predicted, long[] labels) => predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;

    [SharedDataFact]
    public void PipelineAccuracyEqualsTheCliForTheSameSeeds()
    {
        var labels = WritePngs();
        string purifiedFile = Path.Combine(dir.Path, "purified.bin");
        var cli = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "0", "--count", Count.ToString(),
            "--iterations", "20", "--snapshots", "10", "--warmup", "2", "--seed", Seed.ToString(), "--batch", Batch.ToString(), "--out", purifiedFile, "--json");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        using var json = JsonDocument.Parse(cli.StdOut);
        double cliAccuracy = json.RootElement.GetProperty("accuracy").GetDouble();
        double cliUnrounded = json.RootElement.GetProperty("accuracy_unrounded").GetDouble();

        // Float vectors: ExtractPixels(scale 1/255) → DipPurify → ApplyOnnxModel; compared with the CLI's labels before 8-bit rounding.
        var vectors = Run(mlContext.Transforms.LoadImages("image", dir.Path, nameof(FileRow.Path))
            .Append(mlContext.Transforms.ResizeImages("image", 32, 32))
            .Append(mlContext.Transforms.ExtractPixels("pixels", "image", scaleImage: 1f / 255))
            .Append(mlContext.Transforms.DipPurify(Options("input", "pixels", 1f / 255)))
            .Append(mlContext.Transforms.ApplyOnnxModel("logits", "input", SharedData.ResNet20)));
        Assert.Equal(vectors.PurifierLabels, vectors.Predicted); // ML.NET's ONNX scorer agrees with the purifier's own query
        Assert.Equal(cliUnrounded, Accuracy(vectors.Predicted, labels));

        // MLImages: DipPurify on the image (8-bit output) → ExtractPixels → ApplyOnnxModel; compared with the CLI's 8-bit figure.
        var images = Run(mlContext.Transforms.LoadImages("image", dir.Path, nameof(FileRow.Path))
            .Append(mlContext.Transforms.ResizeImages("image", 32, 32))
            .Append(mlContext.Transforms.DipPurify(Options("purified", "image", 1)))
            .Append(mlContext.Transforms.ExtractPixels("input", "purified", scaleImage: 1f / 255))
            .Append(mlContext.Transforms.ApplyOnnxModel("logits", "input", SharedData.ResNet20)), imageColumn: "purified");
        Assert.Equal(cliAccuracy, Accuracy(images.Predicted, labels));
        Assert.Equal(vectors.PurifierLabels, images.PurifierLabels);

        // The 8-bit images are the CLI's, byte for byte.
        AssertSameBytes(purifiedFile, images.Images);
    }

    void AssertSameBytes(string cliFile, List<byte[]> pipelineImages)
    {
        using var cliImages = DatasetReader.Read(cliFile);
        for (int i = 0; i < Count; i++)
        {
            using var scope = NewDisposeScope();
            var cliBytes = cliImages.Images[i].mul(255).round().to(ScalarType.Byte).flatten().data<byte>().ToArray();
            Assert.Equal(cliBytes, pipelineImages[i]);
        }
    }

    [SharedDataTheory]
    [InlineData("jpeg")]
    [InlineData("bit-depth")]
    [InlineData("median")]
    [InlineData("dipdefend")]
    public void EachBaselinePurifiesTheSharedImagesInThePipelineAsTheCliDoes(string defense)
    {
        var labels = WritePngs();
        string purifiedFile = Path.Combine(dir.Path, $"{defense}.bin");
        var cli = CliRunner.Run("purify", "--defense", defense, "--dipdefend-iterations", "20", "--model", SharedData.ResNet20,
            "--data", SharedData.Cifar10Batch, "--offset", "0", "--count", Count.ToString(), "--seed", Seed.ToString(), "--batch", Batch.ToString(),
            "--out", purifiedFile, "--json");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        using var json = JsonDocument.Parse(cli.StdOut);

        var options = Options("purified", "image", 1);
        options.Defense = defense;
        options.DipDefendIterations = 20;
        var images = Run(mlContext.Transforms.LoadImages("image", dir.Path, nameof(FileRow.Path))
            .Append(mlContext.Transforms.ResizeImages("image", 32, 32))
            .Append(mlContext.Transforms.DipPurify(options))
            .Append(mlContext.Transforms.ExtractPixels("input", "purified", scaleImage: 1f / 255))
            .Append(mlContext.Transforms.ApplyOnnxModel("logits", "input", SharedData.ResNet20)), imageColumn: "purified");
        Assert.Equal(json.RootElement.GetProperty("accuracy").GetDouble(), Accuracy(images.Predicted, labels));
        AssertSameBytes(purifiedFile, images.Images);

        // And the defense did something: some image differs from its input.
        using var all = DatasetReader.Read(SharedData.Cifar10Batch);
        Assert.Contains(Enumerable.Range(0, Count), i =>
        {
            using var scope = NewDisposeScope();
            return !all.Images[i].mul(255).round().to(ScalarType.Byte).flatten().data<byte>().ToArray().SequenceEqual(images.Images[i]);
        });
    }
}
