using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// Half-sample symmetric padding, SciPy's <c>mode="reflect"</c> (NumPy's <c>"symmetric"</c>): the border pixel is
/// repeated, <c>d c b a | a b c d | d c b a</c>, and pads longer than the side keep mirroring. Torch's own
/// <c>reflect</c> mode does not repeat the border pixel.
/// </summary>
internal static class SymmetricPadding
{
    /// <summary>Pads dimension <paramref name="dim"/> of <paramref name="x"/> by <paramref name="before"/> and <paramref name="after"/> elements (differentiable: an index selection).</summary>
    public static Tensor Pad(Tensor x, int dim, long before, long after)
    {
        long size = x.shape[dim], period = 2 * size;
        var indices = new long[before + size + after];
        for (long j = -before; j < size + after; j++)
        {
            long r = ((j % period) + period) % period;
            indices[j + before] = r < size ? r : period - 1 - r;
        }
        using var index = tensor(indices, device: x.device);
        return x.index_select(dim, index);
    }
}
