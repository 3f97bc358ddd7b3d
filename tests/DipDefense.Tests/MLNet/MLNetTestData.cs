using DipDefense.MLNet;
using DipDefense.Tests.Infrastructure;
using DipDefense.Tests.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DipDefense.Tests.MLNet;

/// <summary>A row of a planar float image 3×16×16 (8-bit pixel values 0–255, ExtractPixels' default scale) with an id and a label (the pass-through columns).</summary>
public sealed class VectorRow
{
    [VectorType(3, 16, 16)]
    public float[] Pixels { get; set; } = [];

    public string Id { get; set; } = "";

    public long Label { get; set; }
}

/// <summary>A row holding an MLImage of 16×16.</summary>
public sealed class ImageRow
{
    [ImageType(16, 16)]
    public MLImage? Image { get; set; }

    public string Id { get; set; } = "";
}

/// <summary>The output of a DipPurify pipeline over <see cref="VectorRow"/>s with both diagnostic columns.</summary>
public sealed class PurifiedVectorRow
{
    [VectorType(3, 16, 16)]
    public float[] Purified { get; set; } = [];

    public string Id { get; set; } = "";

    public long PurifiedLabel { get; set; }

    public bool CrossingsFound { get; set; }
}

/// <summary>
/// Small inputs for the DipPurify tests that need no shared data: a brightness-bins ONNX victim for 3×16×16 images
/// (label = the bin of the mean brightness, so DIP traces cross its boundaries) and deterministic images.
/// </summary>
public sealed class MLNetTestData : IDisposable
{
    public const int Channels = 3, Side = 16, Bins = 20;

    readonly TempDir dir = new();

    public MLNetTestData()
    {
        ModelPath = dir.Write("brightness-bins.onnx", BrightnessBinsModel(Bins));
    }

    /// <summary>The victim: input "x" [N, 3, 16, 16], output "y" [N, 20] = −(mean(x) − (k + 0.5)/20)².</summary>
    public string ModelPath { get; }

    public string Folder => dir.Path;

    /// <summary>Tiny settings: small network, T = 20, M = 10, all snapshots recognisable, seed 7, blocks of 2 rows.</summary>
    public DipPurifyOptions Options(int batchSize = 2) => new()
    {
        OutputColumnName = "Purified",
        InputColumnName = "Pixels",
        ModelPath = ModelPath,
        Preset = "small",
        Iterations = 20,
        Snapshots = 10,
        Seed = 7,
        BatchSize = batchSize,
        SsimThreshold = -1,
        WarmUp = 1,
        Pairs = 2,
        GridSections = 4,
        PurifiedLabelColumnName = "PurifiedLabel",
        CrossingsFoundColumnName = "CrossingsFound",
    };

    /// <summary>Image i: 8-bit pixels, planar [3, 16, 16], a gradient whose brightness depends on i.</summary>
    public static byte[] ImageBytes(int i)
    {
        var bytes = new byte[Channels * Side * Side];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                    bytes[(c * Side + y) * Side + x] = (byte)((37 * i + 9 * x + 5 * y + 20 * c) % 256 * 0.8 + 20);
        return bytes;
    }

    /// <summary><paramref name="count"/> rows of <see cref="ImageBytes"/> as floats 0–255, with ids "row-i" and labels i % 3.</summary>
    public static VectorRow[] VectorRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new VectorRow { Pixels = [.. ImageBytes(i).Select(b => (float)b)], Id = $"row-{i}", Label = i % 3 })];

    /// <summary>The images of <see cref="VectorRows"/> as a batch [N, 3, 16, 16] in [0, 1] (b / 255, as the core reads bytes).</summary>
    public static Tensor Batch(int count) =>
        tensor(Enumerable.Range(0, count).SelectMany(i => ImageBytes(i).Select(b => b / 255f)).ToArray(), [count, Channels, Side, Side]);

    /// <summary>The same images as <see cref="VectorRows"/> as Bgra32 MLImages.</summary>
    public static ImageRow[] ImageRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ImageRow { Image = ToImage(ImageBytes(i)), Id = $"row-{i}" })];

    /// <summary>A Bgra32 MLImage (opaque) of planar RGB bytes [3, 16, 16].</summary>
    public static MLImage ToImage(byte[] planar)
    {
        int plane = Side * Side;
        var bgra = new byte[4 * plane];
        for (int p = 0; p < plane; p++)
        {
            bgra[4 * p] = planar[2 * plane + p];
            bgra[4 * p + 1] = planar[plane + p];
            bgra[4 * p + 2] = planar[p];
            bgra[4 * p + 3] = 255;
        }
        return MLImage.CreateFromPixels(Side, Side, MLPixelFormat.Bgra32, bgra);
    }

    /// <summary>Planar RGB bytes of an MLImage of either byte order.</summary>
    public static byte[] Planar(MLImage image)
    {
        var (r, g, b) = image.PixelFormat == MLPixelFormat.Bgra32 ? (2, 1, 0) : (0, 1, 2);
        int plane = image.Width * image.Height;
        var pixels = image.Pixels;
        var planar = new byte[3 * plane];
        for (int p = 0; p < plane; p++)
        {
            planar[p] = pixels[4 * p + r];
            planar[plane + p] = pixels[4 * p + g];
            planar[2 * plane + p] = pixels[4 * p + b];
        }
        return planar;
    }

    /// <summary>Every value of column <paramref name="name"/> of <paramref name="data"/>, read with one cursor.</summary>
    public static List<T> Column<T>(IDataView data, string name) => Column<T, T>(data, name, v => v);

    /// <summary>Every value of column <paramref name="name"/>, each copied by <paramref name="copy"/> (getters may reuse buffers).</summary>
    public static List<TOut> Column<T, TOut>(IDataView data, string name, Func<T, TOut> copy)
    {
        var column = data.Schema[name];
        var values = new List<TOut>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(copy(value));
        }
        return values;
    }

    /// <summary>The float vectors of column <paramref name="name"/> as arrays.</summary>
    public static List<float[]> Vectors(IDataView data, string name) =>
        Column<VBuffer<float>, float[]>(data, name, v => v.DenseValues().ToArray());

    static byte[] BrightnessBinsModel(int bins) => new TinyOnnx()
        .Input("x", TinyOnnx.Float, "N", Channels, Side, Side)
        .Output("y", TinyOnnx.Float, "N", bins)
        .Initializer("centers", [bins], [.. Enumerable.Range(0, bins).Select(k => (k + 0.5f) / bins)])
        .Node("ReduceMean", ["x"], ["mean4"], TinyOnnx.Ints("axes", 1, 2, 3))
        .Node("Flatten", ["mean4"], ["mean"])
        .Node("Sub", ["mean", "centers"], ["distance"])
        .Node("Mul", ["distance", "distance"], ["squared"])
        .Node("Neg", ["squared"], ["y"])
        .ToBytes();

    public void Dispose() => dir.Dispose();
}
