using DipDefense.Defense;
using DipDefense.MLNet;
using DipDefense.Victims;
using Microsoft.ML;

namespace DipDefense.Tests.MLNet;

/// <summary>The library's other defenses in an ML.NET pipeline: <c>mlContext.Transforms.Purify(...)</c> and <see cref="DipPurifyOptions.Defense"/>.</summary>
public class PurifyBaselinesTests(MLNetTestData data) : IClassFixture<MLNetTestData>
{
    const int Rows = 3;
    readonly MLContext mlContext = new(seed: 1);

    /// <summary>The core defense's images of the test rows, as 0–255 floats (the pipeline's scale), and the victim's labels of them.</summary>
    (List<float[]> Images, long[] Labels) Core(DefenseChoice defense)
    {
        using var victim = new OnnxClassifier(data.ModelPath);
        using var images = MLNetTestData.Batch(Rows);
        using var result = defense.Create(victim).Purify(images);
        using var labels = victim.Predict(result.Purified);
        var rows = Enumerable.Range(0, Rows).Select(r => result.Purified[r].flatten().data<float>().Select(u => u * 255f).ToArray()).ToList();
        return (rows, labels.data<long>().ToArray());
    }

    static void AssertClose(List<float[]> expected, List<float[]> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            float worst = expected[r].Zip(actual[r], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-3f, $"{what}: row {r} differs from the core defense by {worst}");
        }
    }

    [Theory]
    [InlineData(DefenseChoice.Jpeg)]
    [InlineData(DefenseChoice.BitDepth)]
    [InlineData(DefenseChoice.Median)]
    [InlineData(DefenseChoice.None)]
    public void EachBaselinePurifiesRowsAsItsCoreClass(string defense)
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(Rows));
        using var model = mlContext.Transforms.Purify("Purified", "Pixels", data.ModelPath, defense).Fit(input);
        var actual = MLNetTestData.Vectors(model.Transform(input), "Purified");

        var (expected, _) = Core(new DefenseChoice { Name = defense });
        AssertClose(expected, actual, defense);
        bool changed = actual.Zip(MLNetTestData.VectorRows(Rows), (a, row) => a.Zip(row.Pixels).Any(p => Math.Abs(p.First - p.Second) > 0.5f)).Any(c => c);
        Assert.Equal(defense != DefenseChoice.None, changed);
    }

    [Fact]
    public void BaselineSettingsAndTheLabelColumnReachTheCoreDefense()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(Rows));
        var options = new DipPurifyOptions
        {
            OutputColumnName = "Purified", InputColumnName = "Pixels", ModelPath = data.ModelPath,
            Defense = DefenseChoice.BitDepth, Bits = 2, PurifiedLabelColumnName = "PurifiedLabel",
        };
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);
        var output = model.Transform(input);

        var (expected, labels) = Core(new DefenseChoice { Name = DefenseChoice.BitDepth, BitDepthOptions = new() { Bits = 2 } });
        AssertClose(expected, MLNetTestData.Vectors(output, "Purified"), "bit-depth 2");
        Assert.Equal(labels, MLNetTestData.Column<long>(output, "PurifiedLabel"));
        var (fourBits, _) = Core(new DefenseChoice { Name = DefenseChoice.BitDepth });
        Assert.NotEqual(fourBits[0], expected[0]); // the setting changed the images
    }

    [Fact]
    public void DipDefendRunsInAPipelineWithTheRowsSeed()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(Rows));
        var options = new DipPurifyOptions
        {
            OutputColumnName = "Purified", InputColumnName = "Pixels", ModelPath = data.ModelPath,
            Defense = DefenseChoice.DipDefend, DipDefendIterations = 6, Seed = 5, BatchSize = Rows,
        };
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);

        var (expected, _) = Core(new DefenseChoice { Name = DefenseChoice.DipDefend, DipDefendOptions = new() { Iterations = 6, Seed = 5, BatchSize = Rows } });
        AssertClose(expected, MLNetTestData.Vectors(model.Transform(input), "Purified"), "dipdefend");
    }

    [Fact]
    public void ABaselinePipelineSavesAndLoadsWithItsDefense()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(Rows));
        var options = new DipPurifyOptions
        {
            OutputColumnName = "Purified", InputColumnName = "Pixels", ModelPath = data.ModelPath,
            Defense = DefenseChoice.Median, MedianWindow = 2,
        };
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);
        using var stream = new MemoryStream();
        DipPurifyModel.Save(mlContext, model, input.Schema, stream);
        stream.Position = 0;
        using var loaded = (IDisposable)DipPurifyModel.Load(mlContext, stream, out _);

        var purify = Assert.Single(((IEnumerable<ITransformer>)loaded).OfType<DipPurifyingTransformer>());
        Assert.Equal((DefenseChoice.Median, 2), (purify.Options.Defense, purify.Options.MedianWindow));
        Assert.Equal(MLNetTestData.Vectors(model.Transform(input), "Purified"), MLNetTestData.Vectors(purify.Transform(input), "Purified"));
    }

    [Fact]
    public void AnUnknownDefenseOrADipDiagnosticOnABaselineIsRefusedWithTheSettingsName()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1));
        var unknown = Assert.Throws<ArgumentException>(() => mlContext.Transforms.Purify("Purified", "Pixels", data.ModelPath, "blur").Fit(input));
        Assert.Contains("Defense must be one of decision-dip, dipdefend, jpeg, bit-depth, median, none; got 'blur'", unknown.Message);

        var options = data.Options();
        options.Defense = DefenseChoice.Jpeg;
        var crossings = Assert.Throws<ArgumentException>(() => mlContext.Transforms.DipPurify(options).Fit(input));
        Assert.Contains("CrossingsFoundColumnName", crossings.Message);

        options = data.Options();
        options.Defense = DefenseChoice.Jpeg;
        options.CrossingsFoundColumnName = null;
        options.JpegQuality = 0;
        var quality = Assert.Throws<ArgumentException>(() => mlContext.Transforms.DipPurify(options).Fit(input));
        Assert.Contains("Quality", quality.Message);
    }
}
