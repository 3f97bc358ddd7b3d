using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace DipDefense.MLNet;

/// <summary>
/// The estimator of <c>mlContext.Transforms.DipPurify(...)</c>: a trivial estimator (nothing is learned) whose
/// <see cref="Fit"/> checks the data's schema and returns its <see cref="DipPurifyingTransformer"/>.
/// </summary>
/// <remarks>
/// The victim model is loaded when the estimator is made, so a missing or invalid model fails at once, and the
/// schema checks (<see cref="GetOutputSchema"/>, <see cref="Fit"/>) can compare the images with the victim's input.
/// See <see cref="DipPurifyingTransformer"/> for the characteristics of the transform.
/// </remarks>
public sealed class DipPurifyingEstimator : IEstimator<DipPurifyingTransformer>
{
    readonly DipPurifyingTransformer transformer;

    /// <summary>Builds the estimator and loads the victim.</summary>
    /// <param name="environment">The ML.NET environment (an <see cref="MLContext"/>); its cancellation stops the purifier.</param>
    /// <param name="options">The settings (copied).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The victim model does not exist.</exception>
    /// <exception cref="InvalidDataException">The victim model is not an ONNX image classifier.</exception>
    public DipPurifyingEstimator(IHostEnvironment environment, DipPurifyOptions options)
    {
        transformer = new DipPurifyingTransformer(environment, options);
    }

    /// <summary>Checks <paramref name="input"/>'s schema and returns the transformer (the same one on every call).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, of the wrong type or size, or does not fit the victim; the message names it.</exception>
    public DipPurifyingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        transformer.Bind(input.Schema, nameof(input));
        return transformer;
    }

    /// <summary>
    /// The shape of the output: <paramref name="inputSchema"/> with the purified column (the input column's shape) and the
    /// diagnostic columns. Checks what a shape can tell: the column exists, holds images or a known-size float vector, and
    /// images of known size fit the victim (a vector's size is checked by <see cref="Fit"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong type, or its images do not fit the victim.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var options = transformer.Options;
        string name = options.SourceColumnName;
        var found = inputSchema.Where(c => c.Name == name).ToList();
        if (found.Count == 0)
            throw SchemaErrors.MissingColumn(nameof(inputSchema), name);
        var input = found[0];
        bool isImage = input.Kind == SchemaShape.Column.VectorKind.Scalar && input.ItemType is ImageDataViewType;
        bool isVector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (!isImage && !isVector)
            throw SchemaErrors.Mismatch(nameof(inputSchema), name, SchemaErrors.ExpectedImage, SchemaErrors.TypeName(input));
        if (input.ItemType is ImageDataViewType { Height: > 0, Width: > 0 } image)
            transformer.Bind(ImageSchema(name, image), nameof(inputSchema));

        var outputs = new List<SchemaShape.Column> { MLNetInternals.CreateColumn(options.OutputColumnName, input.Kind, input.ItemType) };
        if (options.PurifiedLabelColumnName is { } label)
            outputs.Add(MLNetInternals.CreateColumn(label, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int64));
        if (options.CrossingsFoundColumnName is { } crossings)
            outputs.Add(MLNetInternals.CreateColumn(crossings, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance));
        var names = outputs.Select(c => c.Name).ToHashSet();
        return new SchemaShape(inputSchema.Where(c => !names.Contains(c.Name)).Concat(outputs));
    }

    static DataViewSchema ImageSchema(string name, ImageDataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, type);
        return builder.ToSchema();
    }
}
