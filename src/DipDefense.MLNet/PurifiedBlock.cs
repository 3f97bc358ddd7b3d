using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>The purifier's results for a block of consecutive rows, in row order.</summary>
/// <param name="Inputs">The images as read.</param>
/// <param name="Purified">The purified images: planar pixels in [0, 1], one array per row.</param>
/// <param name="Labels">The victim's label of each purified image.</param>
/// <param name="CrossingsFound">Whether each row's DIP trace crossed a decision boundary.</param>
internal sealed record PurifiedBlock(RowImage[] Inputs, float[][] Purified, long[] Labels, bool[] CrossingsFound)
{
    /// <summary>A getter of an output column that serves row <c>current().Row</c> of block <c>current().Block</c>.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TValue"/> is not the column's type.</exception>
    public static ValueGetter<TValue> CreateGetter<TValue>(DipPurifyBinding binding, DataViewSchema.Column column, Func<(PurifiedBlock Block, int Row)> current)
    {
        CheckType<TValue>(column);
        Delegate getter;
        if (column.Index == binding.Purified.Index)
            return binding.Image.CreateWriter<TValue>(() =>
            {
                var (block, row) = current();
                return (block.Inputs[row], block.Purified[row]);
            });
        if (column.Index == binding.Label?.Index)
            getter = (ValueGetter<long>)((ref long value) =>
            {
                var (block, row) = current();
                value = block.Labels[row];
            });
        else if (column.Index == binding.CrossingsFound?.Index)
            getter = (ValueGetter<bool>)((ref bool value) =>
            {
                var (block, row) = current();
                value = block.CrossingsFound[row];
            });
        else
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not an output column of DipPurify.");
        return (ValueGetter<TValue>)getter;
    }

    /// <summary>ML.NET's check and wording for a getter of the wrong type.</summary>
    public static void CheckType<TValue>(DataViewSchema.Column column)
    {
        if (typeof(TValue) != column.Type.RawType)
            throw new InvalidOperationException(
                $"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}' (column '{column.Name}').");
    }
}
