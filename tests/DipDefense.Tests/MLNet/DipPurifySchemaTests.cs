using System.Reflection;
using System.Text.RegularExpressions;
using DipDefense.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DipDefense.Tests.MLNet;

/// <summary>
/// Every schema and option check of DipPurify, in the estimator's <c>GetOutputSchema</c>, in <c>Fit</c>, and when the
/// transformer binds (<c>GetOutputSchema</c>, <c>Transform</c>, <c>GetRowToRowMapper</c>), with their messages.
/// </summary>
public class DipPurifySchemaTests(MLNetTestData data) : IClassFixture<MLNetTestData>
{
    public sealed class IdRow
    {
        public string Id { get; set; } = "";
    }

    public sealed class TextRow
    {
        public string Pixels { get; set; } = "";
    }

    public sealed class FlatRow
    {
        [VectorType(100)]
        public float[] Pixels { get; set; } = new float[100];
    }

    public sealed class FlatImageRow
    {
        [VectorType(768)]
        public float[] Pixels { get; set; } = new float[768];
    }

    public sealed class SmallImageRow
    {
        [VectorType(3, 12, 12)]
        public float[] Pixels { get; set; } = new float[3 * 12 * 12];
    }

    public sealed class SmallMLImageRow
    {
        [ImageType(12, 12)]
        public MLImage? Pixels { get; set; }
    }

    readonly MLContext mlContext = new(seed: 1);

    /// <summary>The shape ML.NET gives a schema (<c>SchemaShape.Create</c> is internal).</summary>
    static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(null, [schema])!;

    IDataView Empty<T>() where T : class => mlContext.Data.LoadFromEnumerable(Array.Empty<T>());

    IDataView Valid => mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1));

    /// <summary>
    /// Checks that every check point fails on <paramref name="input"/> with a message holding <paramref name="expected"/>;
    /// the transformer's own checks use a transformer fitted on <paramref name="valid"/>.
    /// </summary>
    void AssertEveryCheckFails(IDataView input, string expected, DipPurifyOptions? options = null, IDataView? valid = null, bool shapeCanTell = true)
    {
        var estimator = mlContext.Transforms.DipPurify(options ?? data.Options());
        using var transformer = estimator.Fit(valid ?? Valid);
        var checks = new List<(string Where, Action Check)>
        {
            ("Fit", () => estimator.Fit(input)),
            ("transformer GetOutputSchema", () => transformer.GetOutputSchema(input.Schema)),
            ("Transform", () => transformer.Transform(input)),
            ("GetRowToRowMapper", () => transformer.GetRowToRowMapper(input.Schema)),
        };
        if (shapeCanTell)
            checks.Add(("estimator GetOutputSchema", () => estimator.GetOutputSchema(ShapeOf(input.Schema))));
        foreach (var (where, check) in checks)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(check);
            Assert.True(error.Message.Contains(expected), $"{where}: '{error.Message}' lacks '{expected}'");
        }
    }

    [Fact]
    public void AMissingColumnIsNamed()
    {
        AssertEveryCheckFails(Empty<IdRow>(), "Could not find input column 'Pixels'");
    }

    [Fact]
    public void AColumnOfTheWrongTypeIsNamedWithTheExpectedAndActualTypes()
    {
        AssertEveryCheckFails(Empty<TextRow>(),
            "Schema mismatch for input column 'Pixels': expected Image or known-size vector of Single, got String");
    }

    [Fact]
    public void AVectorOfTheWrongSizeIsNamedWithTheExpectedSize()
    {
        var options = data.Options();
        (options.ImageChannels, options.ImageHeight, options.ImageWidth) = (3, 16, 16);
        AssertEveryCheckFails(Empty<FlatRow>(),
            "Schema mismatch for input column 'Pixels': expected Vector<Single, 768> (C×H×W = 3×16×16), got Vector<Single, 100>",
            options, Empty<FlatImageRow>(), shapeCanTell: false);
    }

    [Fact]
    public void AFlatVectorNeedsItsImageSizeAndThenWorks()
    {
        AssertEveryCheckFails(Empty<FlatImageRow>(),
            "Schema mismatch for input column 'Pixels': expected a vector with dimensions [C, H, W] (or set DipPurifyOptions.ImageChannels, ImageHeight and ImageWidth), got Vector<Single, 768>",
            shapeCanTell: false);

        var options = data.Options();
        (options.ImageChannels, options.ImageHeight, options.ImageWidth) = (3, 16, 16);
        var flat = mlContext.Data.LoadFromEnumerable(new[] { new FlatImageRow { Pixels = [.. MLNetTestData.VectorRows(1)[0].Pixels] } });
        using var model = mlContext.Transforms.DipPurify(options).Fit(flat);
        Assert.Equal(flat.Schema["Pixels"].Type, model.GetOutputSchema(flat.Schema)["Purified"].Type);
        Assert.Single(MLNetTestData.Vectors(model.Transform(flat), "Purified"));
    }

    [Fact]
    public void ImagesTheVictimCannotTakeAreNamedWithBothShapes()
    {
        string expected = $"Schema mismatch for input column 'Pixels': expected images of 3×16×16 (C×H×W) for the victim '{data.ModelPath}', got 3×12×12";
        AssertEveryCheckFails(Empty<SmallImageRow>(), expected + " (a float vector is read as planar [C, H, W]", shapeCanTell: false);
        AssertEveryCheckFails(Empty<SmallMLImageRow>(), expected);
    }

    [Fact]
    public void TheEstimatorShapeHasThePurifiedAndDiagnosticColumns()
    {
        var input = mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1));
        var shape = mlContext.Transforms.DipPurify(data.Options()).GetOutputSchema(ShapeOf(input.Schema));

        var purified = shape.Single(c => c.Name == "Purified");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, purified.Kind);
        Assert.Equal(NumberDataViewType.Single, purified.ItemType);
        var label = shape.Single(c => c.Name == "PurifiedLabel");
        Assert.Equal((SchemaShape.Column.VectorKind.Scalar, (DataViewType)NumberDataViewType.Int64), (label.Kind, label.ItemType));
        var crossings = shape.Single(c => c.Name == "CrossingsFound");
        Assert.Equal((SchemaShape.Column.VectorKind.Scalar, (DataViewType)BooleanDataViewType.Instance), (crossings.Kind, crossings.ItemType));
        Assert.Equal(["Pixels", "Id", "Label", "Purified", "PurifiedLabel", "CrossingsFound"], shape.Select(c => c.Name));

        // Purifying a column in place replaces it (same name, same shape).
        var inPlace = data.Options();
        inPlace.InputColumnName = null;
        inPlace.OutputColumnName = "Pixels";
        var replaced = mlContext.Transforms.DipPurify(inPlace).GetOutputSchema(ShapeOf(input.Schema));
        Assert.Single(replaced, c => c.Name == "Pixels");
    }

    [Fact]
    public void InvalidOptionsAreNamed()
    {
        void Expect<TException>(Action<DipPurifyOptions> change, string expected) where TException : Exception
        {
            var options = data.Options();
            change(options);
            var error = Assert.Throws<TException>(() => mlContext.Transforms.DipPurify(options));
            Assert.Contains(expected, error.Message);
            if (error is ArgumentException)
                Assert.Single(Regex.Matches(error.Message, @"\(Parameter '")); // nested errors are quoted without theirs
        }

        Expect<ArgumentException>(o => o.WarmUp = 9, "WarmUp");
        Expect<ArgumentException>(o => o.StableRun = 0, "StableRun must lie in [1, Trace.Snapshots - 1]");
        Expect<ArgumentException>(o => o.Iterations = 25, "Iterations (25) must be a multiple of Snapshots (10)");
        Expect<ArgumentException>(o => o.Preset = "huge", "Unknown DIP network preset 'huge'");
        Expect<ArgumentException>(o => o.BatchSize = 0, "BatchSize");
        Expect<ArgumentException>(o => o.ScaleImage = 0, "ScaleImage");
        Expect<ArgumentException>(o => o.OutputColumnName = "", "OutputColumnName");
        Expect<ArgumentException>(o => o.CrossingsFoundColumnName = "Purified", "distinct names");
        Expect<ArgumentException>(o => o.Device = "tpu", "Device must be cpu, cuda or cuda:N; got 'tpu'");
        Expect<FileNotFoundException>(o => o.ModelPath = Path.Combine(data.Folder, "missing.onnx"), "missing.onnx");

        // The options are copied: changing them afterwards does not reach the transformer.
        var options = data.Options();
        var estimator = mlContext.Transforms.DipPurify(options);
        options.Iterations = 40;
        using var transformer = estimator.Fit(mlContext.Data.LoadFromEnumerable(MLNetTestData.VectorRows(1)));
        Assert.Equal(20, transformer.Options.Iterations);
    }
}
