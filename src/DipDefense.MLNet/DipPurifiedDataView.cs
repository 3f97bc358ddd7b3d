using Microsoft.ML;

namespace DipDefense.MLNet;

/// <summary>
/// The lazy output of <see cref="DipPurifyingTransformer.Transform"/>: the source rows with the purified columns,
/// computed by each cursor as it advances (<see cref="DipPurifyingCursor"/>). Nothing is materialised.
/// </summary>
internal sealed class DipPurifiedDataView(DipPurifyingTransformer parent, IDataView source, DipPurifyBinding binding) : IDataView
{
    /// <inheritdoc />
    public DataViewSchema Schema => binding.OutputSchema;

    /// <summary>False: row r must be purified with seed <c>Seed + r</c>, which needs the source order.</summary>
    public bool CanShuffle => false;

    /// <inheritdoc />
    public long? GetRowCount() => source.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new DipPurifyingCursor(parent, binding, source, columnsNeeded);

    /// <summary>One cursor: rows are purified in blocks, and splitting them across cursors would break the blocks.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
