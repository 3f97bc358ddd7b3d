using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.MLNet;
using DipDefense.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.Tests.MLNet;

/// <summary>DipPurify on in-memory rows with a tiny brightness-bins victim (small network, T = 20, M = 10): no shared data needed.</summary>
public class DipPurifyTransformTests(MLNetTestData data) : IClassFixture<MLNetTestData>
{
    const float Tolerance = 1e-5f;

    (ITransformer Model, IDataView Output) Purify(int rows, DipPurifyOptions options, MLContext? mlContext = null)
    {
        mlContext ??= new MLContext(seed: 1);
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(rows));
        var model = mlContext.Transforms.DipPurify(options).Fit(input);
        return (model, model.Transform(input));
    }

    static void AssertClose(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Length, actual[r].Length);
            float worst = expected[r].Zip(actual[r], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= tolerance, $"{what}: row {r} differs by {worst}");
        }
    }

    [Fact]
    public void EachRowIsPurifiedAsTheCorePurifierDoesWithSeedPlusRow()
    {
        const int rows = 5;
        var options = data.Options(batchSize: 2);
        var (model, output) = Purify(rows, options);
        using var _ = (IDisposable)model;

        using var victim = new OnnxClassifier(data.ModelPath);
        var core = new DecisionSpacePurifier(victim, new PurifierOptions
        {
            Trace = new DipTraceOptions { Network = DipNetworkConfig.Small, Iterations = 20, Snapshots = 10, Seed = 7 },
            SsimThreshold = -1,
            WarmUp = 1,
            Pairs = 2,
            GridSections = 4,
            BatchSize = rows,
        });
        using var images = MLNetTestData.Batch(rows);
        using var expected = core.Purify(images);
        var expectedRows = Enumerable.Range(0, rows).Select(r => expected.Purified[r].flatten().data<float>().Select(u => u * 255f).ToArray()).ToList();

        AssertClose(expectedRows, MLNetTestData.Vectors(output, "Purified"), Tolerance * 255, "pipeline vs core");
        Assert.Equal(expected.FinalLabels, MLNetTestData.Column<long>(output, "PurifiedLabel"));
        var crossings = MLNetTestData.Column<bool>(output, "CrossingsFound");
        Assert.Equal(expected.Diagnostics.Select(d => !d.FallbackUsed), crossings);
        Assert.Contains(true, crossings); // the boundary search ran, not only the fallback
        Assert.True(expectedRows[0].Zip(MLNetTestData.VectorRows(1)[0].Pixels).Any(p => Math.Abs(p.First - p.Second) > 1), "purification returned the input unchanged");
    }

    [Fact]
    public void OptionsMadeFromCoreSettingsPurifyAsTheCorePurifierWithThem()
    {
        const int rows = 3;
        var settings = new PurifierOptions
        {
            Trace = new DipTraceOptions { Network = DipNetworkConfig.Small, Iterations = 20, Snapshots = 10, Seed = 11, InputNoiseStd = 0.05, OutputAveraging = 0.5, NoiseFreeSnapshots = true },
            Selection = PurifierSelection.Vote,
            GateThreshold = 0.4,
            GateFrom = 0.1,
            GateTo = 0.6,
            PoorFit = 0.5,
            LateChangeFit = 0.9,
            AmbiguousMargin = 3,
            OwnLabelWeight = 0.7,
            Seeds = 2,
            Horizon = 0.8,
            SsimThreshold = -1,
            WarmUp = 2,
            StableRun = 2,
            Pairs = 3,
            Eta = 0.2,
            GridSections = 5,
            BatchSize = 2,
        };
        var options = DipPurifyOptions.FromPurifierOptions(settings, data.ModelPath, "Purified", "Pixels");
        Assert.Equal((0.5, 0.9, 3.0, 0.7, 2), (options.PoorFit, options.LateChangeFit, options.AmbiguousMargin, options.OwnLabelWeight, options.Seeds));
        options.ScaleImage = data.Options().ScaleImage;
        options.PurifiedLabelColumnName = "PurifiedLabel";
        var (model, output) = Purify(rows, options);
        using var _ = (IDisposable)model;

        using var victim = new OnnxClassifier(data.ModelPath);
        using var images = MLNetTestData.Batch(rows);
        using var expected = new DecisionSpacePurifier(victim, settings).Purify(images);
        var expectedRows = Enumerable.Range(0, rows).Select(r => expected.Purified[r].flatten().data<float>().Select(u => u * 255f).ToArray()).ToList();
        AssertClose(expectedRows, MLNetTestData.Vectors(output, "Purified"), Tolerance * 255, "options from core settings vs core");
        Assert.Equal(expected.FinalLabels, MLNetTestData.Column<long>(output, "PurifiedLabel"));

        var custom = settings with { Trace = settings.Trace with { Network = DipNetworkConfig.Small with { SkipKernel = 3 } } };
        var error = Assert.Throws<ArgumentException>(() => DipPurifyOptions.FromPurifierOptions(custom, data.ModelPath, "Purified"));
        Assert.Contains("custom network", error.Message);
    }

    [Fact]
    public void ResultsDoNotDependOnTheBatchSize()
    {
        const int rows = 5;
        var results = new[] { 1, 3, 16 }.Select(b =>
        {
            var (model, output) = Purify(rows, data.Options(batchSize: b));
            using var _ = (IDisposable)model;
            return (Images: MLNetTestData.Vectors(output, "Purified"), Labels: MLNetTestData.Column<long>(output, "PurifiedLabel"));
        }).ToList();

        foreach (var other in results.Skip(1))
        {
            AssertClose(results[0].Images, other.Images, Tolerance * 255, "batch sizes");
            Assert.Equal(results[0].Labels, other.Labels);
        }
    }

    [Fact]
    public void ImageAndVectorInputsGiveTheSameImagesAndScaleAndOffsetAreUndone()
    {
        const int rows = 3;
        var mlContext = new MLContext(seed: 1);
        var (vectorModel, vectorOutput) = Purify(rows, data.Options());
        using var _ = (IDisposable)vectorModel;
        var vectors = MLNetTestData.Vectors(vectorOutput, "Purified");

        var imageOptions = data.Options();
        imageOptions.InputColumnName = "Image";
        var images = mlContext.Data.LoadFromEnumerable(MLNetTestData.ImageRows(rows));
        using var imageModel = mlContext.Transforms.DipPurify(imageOptions).Fit(images);
        var imageOutput = imageModel.Transform(images);
        Assert.Equal(images.Schema["Image"].Type, imageOutput.Schema["Purified"].Type);
        var purifiedImages = MLNetTestData.Column<MLImage, byte[]>(imageOutput, "Purified", MLNetTestData.Planar);
        for (int r = 0; r < rows; r++)
            Assert.Equal(vectors[r].Select(v => (byte)Math.Clamp(MathF.Round(v), 0, 255)), purifiedImages[r]);
        Assert.Equal(MLNetTestData.Column<long>(vectorOutput, "PurifiedLabel"), MLNetTestData.Column<long>(imageOutput, "PurifiedLabel"));

        // ExtractPixels(offsetImage: 10, scaleImage: 0.5) writes (p - 10) * 0.5: purified the same, written back the same way.
        var scaled = MLNetTestData.VectorRows(rows);
        foreach (var row in scaled)
            row.Pixels = [.. row.Pixels.Select(p => (p - 10) * 0.5f)];
        var scaledOptions = data.Options();
        scaledOptions.ScaleImage = 0.5f;
        scaledOptions.OffsetImage = 10;
        var scaledInput = mlContext.Data.LoadFromEnumerable(scaled);
        using var scaledModel = mlContext.Transforms.DipPurify(scaledOptions).Fit(scaledInput);
        AssertClose([.. vectors.Select(v => v.Select(p => (p - 10) * 0.5f).ToArray())], MLNetTestData.Vectors(scaledModel.Transform(scaledInput), "Purified"), 1e-3f, "scaled");
    }

    [Fact]
    public void ValuesOutsideTheImageRangeAreRejectedNamingTheColumnAndRow()
    {
        var options = data.Options();
        options.ScaleImage = 1f / 255; // the rows hold 0–255, so this reads them as up to 255 × 255
        var (model, output) = Purify(2, options);
        using var _ = (IDisposable)model;
        var error = Assert.Throws<InvalidOperationException>(() => MLNetTestData.Vectors(output, "Purified"));
        Assert.Contains("Row 0 of input column 'Pixels'", error.Message);
        Assert.Contains("ScaleImage", error.Message);
    }

    public sealed class FileRow
    {
        public string Path { get; set; } = "";
    }

    [Fact]
    public void ImagesOfAnotherSizeThanTheVictimsAreRejectedNamingTheRow()
    {
        var mlContext = new MLContext(seed: 1);
        using (var image = MLNetTestData.ToImage(MLNetTestData.ImageBytes(0)))
            image.Save(Path.Combine(data.Folder, "16.png"));
        using (var image = MLImage.CreateFromPixels(20, 20, MLPixelFormat.Bgra32, new byte[20 * 20 * 4]))
            image.Save(Path.Combine(data.Folder, "20.png"));
        var files = mlContext.Data.LoadFromEnumerable(new[] { new FileRow { Path = "16.png" }, new FileRow { Path = "20.png" } });
        var options = data.Options(batchSize: 1);
        options.RefillBatches = 1;   // blocks of one row: row 0 is purified before row 1 is read
        options.InputColumnName = "Image";
        using var model = mlContext.Transforms.LoadImages("Image", data.Folder, nameof(FileRow.Path)).Append(mlContext.Transforms.DipPurify(options)).Fit(files);
        var output = model.Transform(files);

        using var cursor = output.GetRowCursor([output.Schema["Purified"]]);
        Assert.True(cursor.MoveNext()); // LoadImages leaves the size to each row: row 0 fits
        var error = Assert.Throws<InvalidOperationException>(() => cursor.MoveNext());
        Assert.Contains("Row 1: Schema mismatch for input column 'Image'", error.Message);
        Assert.Contains("got 3×20×20", error.Message);
        Assert.DoesNotContain("(Parameter", error.Message); // a row's error names no method argument
    }

    [Fact]
    public void TheSourceIsReadLazilyOneBlockAtATime()
    {
        var mlContext = new MLContext(seed: 1);
        int pulled = 0;
        IEnumerable<VectorRow> Rows()
        {
            foreach (var row in MLNetTestData.VectorRows(6))
            {
                pulled++;
                yield return row;
            }
        }
        var input = mlContext.Data.LoadFromEnumerable(Rows(), SchemaDefinition.Create(typeof(VectorRow)));
        var options = data.Options(batchSize: 2);
        options.RefillBatches = 2;   // a block is RefillBatches·BatchSize rows
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);
        var output = model.Transform(input);
        Assert.Equal(0, pulled);

        using var cursor = output.GetRowCursor([output.Schema["Purified"]]);
        Assert.True(cursor.MoveNext());
        Assert.Equal(4, pulled);
        for (int row = 1; row < 4; row++)
        {
            Assert.True(cursor.MoveNext());
            Assert.Equal(4, pulled);
        }
        Assert.True(cursor.MoveNext());
        Assert.Equal(6, pulled);
    }

    [Fact]
    public void PassThroughColumnsRowIdsAndBatchesFollowTheirRows()
    {
        const int rows = 5;
        var (model, output) = Purify(rows, data.Options(batchSize: 2));
        using var _ = (IDisposable)model;
        var source = ((IEnumerable<VectorRow>)MLNetTestData.VectorRows(rows)).ToList();

        var columns = new[] { "Id", "Label", "Pixels", "Purified" }.Select(n => output.Schema[n]).ToArray();
        using var cursor = output.GetRowCursor(columns);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["Id"]);
        var label = cursor.GetGetter<long>(output.Schema["Label"]);
        var pixels = cursor.GetGetter<VBuffer<float>>(output.Schema["Pixels"]);
        var rowId = cursor.GetIdGetter();
        var input = new MLContext(seed: 1).Data.LoadFromEnumerable(source);
        using var sourceCursor = input.GetRowCursor(input.Schema);
        var sourceRowId = sourceCursor.GetIdGetter();

        ReadOnlyMemory<char> idValue = default;
        long labelValue = 0;
        VBuffer<float> pixelValues = default;
        DataViewRowId idOut = default, idIn = default;
        for (int r = 0; r < rows; r++)
        {
            Assert.True(cursor.MoveNext());
            Assert.True(sourceCursor.MoveNext());
            Assert.Equal(r, cursor.Position);
            id(ref idValue);
            label(ref labelValue);
            pixels(ref pixelValues);
            rowId(ref idOut);
            sourceRowId(ref idIn);
            Assert.Equal(source[r].Id, idValue.ToString());
            Assert.Equal(source[r].Label, labelValue);
            Assert.Equal(source[r].Pixels, pixelValues.DenseValues());
            Assert.Equal(idIn, idOut);
            Assert.Equal(sourceCursor.Batch, cursor.Batch);
        }
        Assert.False(cursor.MoveNext());
        Assert.Equal(rows, output.GetRowCount());
    }

    [Fact]
    public async Task SeveralCursorsAtOnceGiveTheSameRows()
    {
        const int rows = 3;
        var (model, output) = Purify(rows, data.Options(batchSize: 2));
        using var _ = (IDisposable)model;
        var sequential = MLNetTestData.Vectors(output, "Purified");

        // Interleaved on one thread.
        var column = output.Schema["Purified"];
        using (var a = output.GetRowCursor([column]))
        using (var b = output.GetRowCursor([column]))
        {
            var getA = a.GetGetter<VBuffer<float>>(column);
            var getB = b.GetGetter<VBuffer<float>>(column);
            VBuffer<float> valueA = default, valueB = default;
            for (int r = 0; r < rows; r++)
            {
                Assert.True(a.MoveNext());
                Assert.True(b.MoveNext());
                getA(ref valueA);
                getB(ref valueB);
                Assert.Equal(sequential[r], valueA.DenseValues());
                Assert.Equal(sequential[r], valueB.DenseValues());
            }
        }

        // On two threads.
        var parallel = await Task.WhenAll(Task.Run(() => MLNetTestData.Vectors(output, "Purified")), Task.Run(() => MLNetTestData.Vectors(output, "Purified")));
        foreach (var result in parallel)
            AssertClose(sequential, result, 0, "two threads");
    }

    [Fact]
    public void PredictionEnginePurifiesEachRowWithSeedPlusItsPosition()
    {
        const int rows = 3;
        var mlContext = new MLContext(seed: 1);
        var (model, output) = Purify(rows, data.Options(batchSize: 2), mlContext);
        using var _ = (IDisposable)model;
        var expected = MLNetTestData.Vectors(output, "Purified");

        using var engine = mlContext.Model.CreatePredictionEngine<VectorRow, PurifiedVectorRow>(model);
        var source = MLNetTestData.VectorRows(rows);
        var predicted = source.Select(row => engine.Predict(row).Purified.ToArray()).ToList();
        AssertClose(expected, predicted, Tolerance * 255, "prediction engine");
        Assert.Equal(source[1].Id, engine.Predict(source[1]).Id);
    }

    [Fact]
    public async Task CancellingTheContextStopsAPurifyingCursorPromptly()
    {
        var mlContext = new MLContext(seed: 1);
        var options = data.Options();
        options.Iterations = 1_000_000; // hours of work if nothing stopped it
        options.Snapshots = 10;
        var (model, output) = Purify(2, options, mlContext);
        using var _ = (IDisposable)model;

        var reading = Task.Run(() => MLNetTestData.Vectors(output, "Purified"));
        await Task.Delay(500);
        Assert.False(reading.IsCompleted);
        var cancelled = DateTime.UtcNow;
        mlContext.CancelExecution();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(DateTime.UtcNow - cancelled < TimeSpan.FromSeconds(5), $"stopped {(DateTime.UtcNow - cancelled).TotalSeconds:0.0} s after the cancellation");
    }
}
