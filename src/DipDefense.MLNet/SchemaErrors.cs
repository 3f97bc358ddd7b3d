using Microsoft.ML;

namespace DipDefense.MLNet;

/// <summary>
/// The schema errors of DipPurify, in ML.NET's own wording (its <c>Contracts.ExceptSchemaMismatch</c> is internal):
/// the column and what was expected.
/// </summary>
internal static class SchemaErrors
{
    /// <summary>What an input column of DipPurify may hold.</summary>
    public const string ExpectedImage = "Image or known-size vector of Single";

    /// <summary>"Could not find input column 'X'".</summary>
    public static ArgumentOutOfRangeException MissingColumn(string paramName, string column) =>
        new(paramName, $"Could not find input column '{column}'");

    /// <summary>"Schema mismatch for input column 'X': expected Y, got Z".</summary>
    public static ArgumentOutOfRangeException Mismatch(string paramName, string column, string expected, string got) =>
        new(paramName, $"Schema mismatch for input column '{column}': expected {expected}, got {got}");

    /// <summary>How ML.NET writes a column shape's type ("Vector&lt;Single&gt;", "Image&lt;32, 32&gt;", ...).</summary>
    public static string TypeName(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{column.ItemType}>",
        _ => column.ItemType.ToString() ?? column.ItemType.GetType().Name,
    };
}
