using DipDefense.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>
/// DipPurify bound to an input schema: the checked input column and the output schema, which is the input schema
/// with the purified column and the optional diagnostic columns appended (an input column of the same name is hidden).
/// </summary>
internal sealed class DipPurifyBinding
{
    DipPurifyBinding(DataViewSchema inputSchema, ImageColumn image, DataViewSchema outputSchema, DipPurifyOptions options)
    {
        InputSchema = inputSchema;
        Image = image;
        OutputSchema = outputSchema;
        Purified = outputSchema[inputSchema.Count];
        int next = inputSchema.Count + 1;
        Label = options.PurifiedLabelColumnName is null ? null : outputSchema[next++];
        CrossingsFound = options.CrossingsFoundColumnName is null ? null : outputSchema[next];
    }

    /// <summary>The schema bound to.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The checked input column.</summary>
    public ImageColumn Image { get; }

    /// <summary>The input columns followed by the output columns.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>The purified images.</summary>
    public DataViewSchema.Column Purified { get; }

    /// <summary>The victim's label of each purified image, when asked for.</summary>
    public DataViewSchema.Column? Label { get; }

    /// <summary>Whether each trace crossed a decision boundary, when asked for.</summary>
    public DataViewSchema.Column? CrossingsFound { get; }

    /// <summary>Whether <paramref name="column"/> (of <see cref="OutputSchema"/>) is one of the output columns.</summary>
    public bool IsOutput(DataViewSchema.Column column) => column.Index >= InputSchema.Count;

    /// <summary>Checks <paramref name="inputSchema"/> (see <see cref="ImageColumn.Bind"/>) and builds the output schema.</summary>
    public static DipPurifyBinding Bind(DataViewSchema inputSchema, DipPurifyOptions options, OnnxClassifier victim, string paramName)
    {
        ArgumentNullException.ThrowIfNull(inputSchema, paramName);
        var image = ImageColumn.Bind(inputSchema, options, victim, paramName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(options.OutputColumnName, image.Column.Type);
        if (options.PurifiedLabelColumnName is { } label)
            builder.AddColumn(label, NumberDataViewType.Int64);
        if (options.CrossingsFoundColumnName is { } crossings)
            builder.AddColumn(crossings, BooleanDataViewType.Instance);
        return new DipPurifyBinding(inputSchema, image, builder.ToSchema(), options);
    }
}
