using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>
/// A cursor over <see cref="DipPurifiedDataView"/>: on <see cref="MoveNext"/> past its block, it reads the next
/// <see cref="DipPurifyOptions.RefillBatches"/>·<see cref="DipPurifyOptions.BatchSize"/> rows from the source (copying their pass-through values, row ids and
/// batch numbers, since the source cursor moves on), purifies them with one core call, then serves them one by one.
/// </summary>
/// <remarks>When no output column is active, nothing is purified and rows pass through one at a time.</remarks>
internal sealed class DipPurifyingCursor : DataViewRowCursor
{
    readonly DipPurifyingTransformer parent;
    readonly DipPurifyBinding binding;
    readonly DataViewRowCursor upstream;
    readonly bool[] active;
    readonly bool purify;
    readonly Func<RowImage>? readImage;
    readonly BufferedColumn?[] buffered;
    readonly ValueGetter<DataViewRowId> upstreamId;
    readonly RowImage[] images;
    readonly DataViewRowId[] ids;
    readonly long[] batches;
    PurifiedBlock? block;
    int count, slot = -1;
    long position = -1;
    bool exhausted;

    public DipPurifyingCursor(DipPurifyingTransformer parent, DipPurifyBinding binding, IDataView source, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        this.parent = parent;
        this.binding = binding;
        active = new bool[binding.OutputSchema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;
        purify = Enumerable.Range(binding.InputSchema.Count, active.Length - binding.InputSchema.Count).Any(i => active[i]);
        int blockSize = purify ? parent.Options.BatchSize * parent.Options.RefillBatches : 1;

        var passThrough = Enumerable.Range(0, binding.InputSchema.Count).Where(i => active[i]).Select(i => binding.InputSchema[i]).ToList();
        var upstreamColumns = purify ? passThrough.Append(binding.Image.Column).DistinctBy(c => c.Index) : passThrough;
        upstream = source.GetRowCursor(upstreamColumns);
        buffered = new BufferedColumn?[binding.InputSchema.Count];
        try
        {
            readImage = purify ? binding.Image.CreateReader(upstream, parent.Victim) : null;
            foreach (var column in passThrough)
                buffered[column.Index] = BufferedColumn.Create(upstream, column, blockSize);
            upstreamId = upstream.GetIdGetter();
        }
        catch
        {
            Dispose(true);
            throw;
        }
        images = new RowImage[blockSize];
        ids = new DataViewRowId[blockSize];
        batches = new long[blockSize];
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => binding.OutputSchema;

    /// <inheritdoc />
    public override long Position => position;

    /// <summary>The source's batch number of the current row.</summary>
    public override long Batch => slot < 0 ? 0 : batches[slot];

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index >= active.Length || !active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' (#{column.Index}) is not active in this cursor; request it when creating the cursor.");
        if (binding.IsOutput(column))
            return PurifiedBlock.CreateGetter<TValue>(binding, column, () => (block!, slot));
        PurifiedBlock.CheckType<TValue>(column);
        return (ValueGetter<TValue>)buffered[column.Index]!.CreateGetter(() => slot);
    }

    /// <summary>The source's row id of the current row.</summary>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = ids[slot];

    /// <inheritdoc />
    /// <exception cref="OperationCanceledException">The ML.NET context was cancelled while a block was purified.</exception>
    public override bool MoveNext()
    {
        if (slot + 1 < count)
        {
            slot++;
            position++;
            return true;
        }
        if (exhausted || !ReadBlock())
        {
            exhausted = true;
            slot = -1;
            return false;
        }
        slot = 0;
        position++;
        return true;
    }

    /// <summary>Reads and purifies the next block; false when the source has no more rows.</summary>
    bool ReadBlock()
    {
        block = null;
        count = 0;
        long first = -1;
        while (count < images.Length)
        {
            if (!upstream.MoveNext())
            {
                exhausted = true;
                break;
            }
            if (count == 0)
                first = upstream.Position;
            if (readImage is not null)
                images[count] = readImage();
            foreach (var column in buffered)
                column?.Read(count);
            upstreamId(ref ids[count]);
            batches[count] = upstream.Batch;
            count++;
        }
        if (count == 0)
            return false;
        if (purify)
            block = parent.Purify(images[..count], first, binding);
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upstream.Dispose();
            foreach (var column in buffered)
                column?.Dispose();
        }
        base.Dispose(disposing);
    }
}
