using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>Channel operations on the grouped layout [1, B·c, H, W] used by the batched generator.</summary>
internal static class GroupedChannels
{
    /// <summary>
    /// Concatenates, within each of the <paramref name="groups"/> networks, the channels of
    /// <paramref name="first"/> [1, B·c1, H, W] and then <paramref name="second"/> [1, B·c2, H, W]:
    /// reshape to [1, B, c, H, W], concatenate on dim 2, reshape back to [1, B·(c1 + c2), H, W].
    /// </summary>
    public static Tensor Concat(Tensor first, Tensor second, int groups)
    {
        using var scope = NewDisposeScope();
        long h = first.shape[2], w = first.shape[3];
        var a = first.reshape(1, groups, first.shape[1] / groups, h, w);
        var b = second.reshape(1, groups, second.shape[1] / groups, h, w);
        return cat([a, b], 2).reshape(1, first.shape[1] + second.shape[1], h, w).MoveToOuterDisposeScope();
    }
}
