using System.IO.Compression;
using System.Text;
using DipDefense.MLNet;
using DipDefense.Tests.Infrastructure;
using Microsoft.ML;

namespace DipDefense.Tests.MLNet;

/// <summary>Saving and loading pipelines that contain DipPurify (<see cref="DipPurifyModel"/>), and what <c>mlContext.Model.Save</c> does.</summary>
public class DipPurifyModelTests(MLNetTestData data) : IClassFixture<MLNetTestData>
{
    readonly MLContext mlContext = new(seed: 1);

    /// <summary>CopyColumns → DipPurify → CopyColumns, fitted: ML.NET transformers on both sides of DipPurify.</summary>
    (ITransformer Model, IDataView Input) Pipeline(string modelPath)
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(3));
        var options = data.Options();
        options.ModelPath = modelPath;
        options.InputColumnName = "Copy";
        var model = mlContext.Transforms.CopyColumns("Copy", "Pixels")
            .Append(mlContext.Transforms.DipPurify(options))
            .Append(mlContext.Transforms.CopyColumns("After", "Purified"))
            .Fit(input);
        return (model, input);
    }

    [Fact]
    public void APipelineSavesToOneFileAndLoadsBackWithTheSameOutputWithoutTheOriginalModelFile()
    {
        using var dir = new TempDir();
        string victim = dir.Write("victim.onnx", File.ReadAllBytes(data.ModelPath));
        var (model, input) = Pipeline(victim);
        using var owned = (IDisposable)model;
        var expected = MLNetTestData.Vectors(model.Transform(input), "After");
        var expectedLabels = MLNetTestData.Column<long>(model.Transform(input), "PurifiedLabel");

        string path = Path.Combine(dir.Path, "pipeline.zip");
        DipPurifyModel.Save(mlContext, model, input.Schema, path);
        File.Delete(victim); // the file carries the victim's bytes

        var loadContext = new MLContext(seed: 2);
        using var loaded = (IDisposable)DipPurifyModel.Load(loadContext, path, out var schema);
        var reloaded = (ITransformer)loaded;
        Assert.Equal(input.Schema.Select(c => (c.Name, c.Type)), schema.Select(c => (c.Name, c.Type)));
        var output = reloaded.Transform(loadContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(3)));
        Assert.Equal(expected, MLNetTestData.Vectors(output, "After"));
        Assert.Equal(expectedLabels, MLNetTestData.Column<long>(output, "PurifiedLabel"));

        var purify = Assert.Single(((IEnumerable<ITransformer>)reloaded).OfType<DipPurifyingTransformer>());
        Assert.Equal(("Purified", "Copy", 20, 7L, "small"), (purify.OutputColumnName, purify.InputColumnName, purify.Options.Iterations, purify.Options.Seed, purify.Options.Preset));
        Assert.Equal(3, ((IEnumerable<ITransformer>)reloaded).Count());

        // Saving the loaded pipeline again gives a file that loads to the same output too.
        using var again = new MemoryStream();
        DipPurifyModel.Save(loadContext, reloaded, schema, again);
        again.Position = 0;
        using var second = (IDisposable)DipPurifyModel.Load(loadContext, again, out _);
        Assert.Equal(expected, MLNetTestData.Vectors(((ITransformer)second).Transform(input), "After"));
    }

    [Fact]
    public void ATransformerAloneSavesAndLoads()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(2));
        using var model = mlContext.Transforms.DipPurify(data.Options()).Fit(input);
        using var stream = new MemoryStream();
        DipPurifyModel.Save(mlContext, model, input.Schema, stream);
        stream.Position = 0;
        using var loaded = (IDisposable)DipPurifyModel.Load(mlContext, stream, out _);
        Assert.Equal(MLNetTestData.Vectors(model.Transform(input), "Purified"), MLNetTestData.Vectors(((ITransformer)loaded).Transform(input), "Purified"));
    }

    [Fact]
    public void SettingsAddedLaterAreSavedAndAFileSavedBeforeTheyExistedLoadsWithoutThem()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1));
        var options = data.Options();
        options.Horizon = 0.5;
        options.PoorFit = 0.9;
        options.LateChangeFit = 0.95;
        options.AmbiguousMargin = 12;
        options.Seeds = 2;
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);
        using var stream = new MemoryStream();
        DipPurifyModel.Save(mlContext, model, input.Schema, stream);

        static (double Horizon, double PoorFit, double LateChangeFit, double AmbiguousMargin, int Seeds) Loaded(MLContext context, Stream file)
        {
            file.Position = 0;
            using var loaded = (IDisposable)DipPurifyModel.Load(context, file, out _);
            var o = Assert.Single(((IEnumerable<ITransformer>)loaded).OfType<DipPurifyingTransformer>()).Options;
            return (o.Horizon, o.PoorFit, o.LateChangeFit, o.AmbiguousMargin, o.Seeds);
        }
        Assert.Equal((0.5, 0.9, 0.95, 12.0, 2), Loaded(mlContext, stream));

        // The same file as an earlier version wrote it: none of these fields in the stage's options. It read the whole
        // trace and marked no input by its fit, whatever the current defaults.
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(".options.json", StringComparison.Ordinal));
            System.Text.Json.Nodes.JsonObject json;
            using (var read = entry.Open())
                json = System.Text.Json.Nodes.JsonNode.Parse(read)!.AsObject();
            foreach (string field in new[] { "Horizon", "PoorFit", "LateChangeFit", "AmbiguousMargin", "Seeds" })
                Assert.True(json.Remove(field), field);
            entry.Delete();
            using var write = zip.CreateEntry(entry.FullName).Open();
            System.Text.Json.JsonSerializer.Serialize(write, json);
        }
        Assert.Equal((1.0, 0.0, 1.0, 0.0, 1), Loaded(mlContext, stream));
    }

    [Fact]
    public void ModelSaveFailsWithAMessageThatSaysWhatToCallInstead()
    {
        var (model, input) = Pipeline(data.ModelPath);
        using var _ = (IDisposable)model;
        using var stream = new MemoryStream();
        var error = Assert.ThrowsAny<Exception>(() => mlContext.Model.Save(model, input.Schema, stream));
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
            messages.Add(e.Message);
        Assert.Contains(messages, m => m.Contains("DipPurifyModel.Save(mlContext, model, inputSchema, path)") && m.Contains("DipPurifyModel.Load"));
    }

    [Fact]
    public void LoadRejectsFilesThatAreNotDipDefensePipelinesOrNewer()
    {
        using var dir = new TempDir();
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1));
        string mlnet = Path.Combine(dir.Path, "plain.zip");
        mlContext.Model.Save(mlContext.Transforms.CopyColumns("A", "Id").Fit(input), input.Schema, mlnet);
        var error = Assert.Throws<InvalidDataException>(() => DipPurifyModel.Load(mlContext, mlnet, out _));
        Assert.Contains("has no manifest.json", error.Message);
        Assert.Contains("mlContext.Model.Load", error.Message);

        string junk = dir.Write("junk.zip", Encoding.UTF8.GetBytes("not a zip"));
        Assert.Contains("not a zip archive", Assert.Throws<InvalidDataException>(() => DipPurifyModel.Load(mlContext, junk, out _)).Message);

        string newer = Path.Combine(dir.Path, "newer.zip");
        using (var zip = ZipFile.Open(newer, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            writer.Write("""{"Format": "DipDefense.MLNet.Pipeline", "Version": 2, "Stages": []}""");
        Assert.Contains("format version 2", Assert.Throws<InvalidDataException>(() => DipPurifyModel.Load(mlContext, newer, out _)).Message);

        Assert.Throws<FileNotFoundException>(() => DipPurifyModel.Load(mlContext, Path.Combine(dir.Path, "absent.zip"), out _));
    }
}
