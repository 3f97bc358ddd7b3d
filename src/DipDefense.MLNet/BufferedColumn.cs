using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>
/// The values of one pass-through column for the rows of a block: the block is read ahead from the upstream cursor
/// (which then sits on a later row), so each value is copied when read and served from the copy.
/// </summary>
internal abstract class BufferedColumn : IDisposable
{
    static readonly MethodInfo CreatePlainMethod = typeof(BufferedColumn).GetMethod(nameof(CreatePlain), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo CreateVectorMethod = typeof(BufferedColumn).GetMethod(nameof(CreateVector), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The buffered column (of the upstream schema; same index in the output schema).</summary>
    public abstract DataViewSchema.Column Column { get; }

    /// <summary>Copies the upstream cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Read(int slot);

    /// <summary>A getter that serves the value of the slot <paramref name="slot"/> returns.</summary>
    public abstract Delegate CreateGetter(Func<int> slot);

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    /// <summary>A buffer of <paramref name="capacity"/> values of <paramref name="column"/> read from <paramref name="upstream"/>.</summary>
    /// <exception cref="NotSupportedException">The column's type cannot be copied (a custom reference type).</exception>
    public static BufferedColumn Create(DataViewRow upstream, DataViewSchema.Column column, int capacity)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(ReadOnlyMemory<char>))
            return new Buffer<ReadOnlyMemory<char>>(upstream, column, capacity, (in ReadOnlyMemory<char> v) => v.ToString().AsMemory());
        if (raw == typeof(MLImage))
            return new ImageBuffer(upstream, column, capacity);
        if (raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>))
            return (BufferedColumn)CreateVectorMethod.MakeGenericMethod(raw.GetGenericArguments()[0]).Invoke(null, [upstream, column, capacity])!;
        if (raw.IsValueType)
            return (BufferedColumn)CreatePlainMethod.MakeGenericMethod(raw).Invoke(null, [upstream, column, capacity])!;
        throw new NotSupportedException(
            $"DipPurify cannot pass column '{column.Name}' of type {column.Type} through: it buffers rows and cannot copy values of {raw.Name}. Drop the column before DipPurify.");
    }

    static BufferedColumn CreatePlain<T>(DataViewRow upstream, DataViewSchema.Column column, int capacity) =>
        new Buffer<T>(upstream, column, capacity, (in T v) => v);

    static BufferedColumn CreateVector<T>(DataViewRow upstream, DataViewSchema.Column column, int capacity) =>
        new Buffer<VBuffer<T>>(upstream, column, capacity, (in VBuffer<T> v) =>
        {
            var copy = default(VBuffer<T>);
            v.CopyTo(ref copy);
            return copy;
        });

    delegate T Copy<T>(in T value);

    sealed class Buffer<T>(DataViewRow upstream, DataViewSchema.Column column, int capacity, Copy<T> copy) : BufferedColumn
    {
        readonly ValueGetter<T> getter = upstream.GetGetter<T>(column);
        readonly T[] values = new T[capacity];
        T current = default!;

        public override DataViewSchema.Column Column => column;

        public override void Read(int slot)
        {
            getter(ref current!);
            values[slot] = copy(current);
        }

        public override Delegate CreateGetter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = values[slot()]);
    }

    /// <summary>
    /// Images are copied (the upstream getter may dispose its image at the next row) and served as fresh copies that
    /// the caller owns.
    /// </summary>
    sealed class ImageBuffer(DataViewRow upstream, DataViewSchema.Column column, int capacity) : BufferedColumn
    {
        readonly ValueGetter<MLImage> getter = upstream.GetGetter<MLImage>(column);
        readonly MLImage?[] images = new MLImage?[capacity];
        MLImage? current;

        public override DataViewSchema.Column Column => column;

        public override void Read(int slot)
        {
            getter(ref current!);
            images[slot]?.Dispose();
            images[slot] = current is null ? null : Clone(current);
        }

        public override Delegate CreateGetter(Func<int> slot) => (ValueGetter<MLImage>)((ref MLImage value) =>
        {
            var image = images[slot()];
            value = image is null ? null! : Clone(image);
        });

        public override void Dispose()
        {
            foreach (var image in images)
                image?.Dispose();
        }

        static MLImage Clone(MLImage image) => MLImage.CreateFromPixels(image.Width, image.Height, image.PixelFormat, image.Pixels);
    }
}
