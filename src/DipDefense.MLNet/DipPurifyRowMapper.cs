using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>
/// DipPurify as an <see cref="IRowToRowMapper"/>, for <c>PredictionEngine</c>: each row is purified alone (B = 1) when
/// an output column is first read, with seed <c>Seed + Position</c> of the input row.
/// </summary>
internal sealed class DipPurifyRowMapper(DipPurifyingTransformer parent, DipPurifyBinding binding) : IRowToRowMapper
{
    /// <inheritdoc />
    public DataViewSchema InputSchema => binding.InputSchema;

    /// <inheritdoc />
    public DataViewSchema OutputSchema => binding.OutputSchema;

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var depending = dependingColumns.ToList();
        var inputs = depending.Where(c => !binding.IsOutput(c)).Select(c => InputSchema[c.Index]);
        return (depending.Any(binding.IsOutput) ? inputs.Append(binding.Image.Column) : inputs).DistinctBy(c => c.Index).ToList();
    }

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new PurifiedRow(parent, binding, input, activeColumns);

    sealed class PurifiedRow : DataViewRow
    {
        readonly DipPurifyingTransformer parent;
        readonly DipPurifyBinding binding;
        readonly DataViewRow input;
        readonly bool[] active;
        readonly Func<RowImage>? readImage;
        PurifiedBlock? block;
        long blockPosition = -1;

        public PurifiedRow(DipPurifyingTransformer parent, DipPurifyBinding binding, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            this.parent = parent;
            this.binding = binding;
            this.input = input;
            active = new bool[binding.OutputSchema.Count];
            foreach (var column in activeColumns)
                active[column.Index] = true;
            if (Enumerable.Range(binding.InputSchema.Count, active.Length - binding.InputSchema.Count).Any(i => active[i]))
                readImage = binding.Image.CreateReader(input, parent.Victim);
        }

        public override DataViewSchema Schema => binding.OutputSchema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index >= active.Length || !active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' (#{column.Index}) is not active in this row.");
            if (!binding.IsOutput(column))
                return input.GetGetter<TValue>(binding.InputSchema[column.Index]);
            return PurifiedBlock.CreateGetter<TValue>(binding, column, Current);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        (PurifiedBlock, int) Current()
        {
            if (block is null || blockPosition != input.Position)
            {
                block = parent.Purify([readImage!()], input.Position, binding);
                blockPosition = input.Position;
            }
            return (block, 0);
        }
    }
}
