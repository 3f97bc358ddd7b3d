using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>DIPDefend's PSNR of an output against its input: the minimum over square patches on large images.</summary>
internal static class PatchPsnr
{
    /// <summary>
    /// Per image of <paramref name="output"/> and <paramref name="target"/> [N, C, H, W]: the minimum of 10·log10(1 / MSE)
    /// (float64) over the non-overlapping <paramref name="patch"/>×<paramref name="patch"/> tiles from the top left,
    /// partial tiles left out; a side not longer than the patch is one tile.
    /// </summary>
    public static double[] Minimum(Tensor output, Tensor target, int patch)
    {
        using var scope = NewDisposeScope();
        long n = output.shape[0], c = output.shape[1], h = output.shape[2], w = output.shape[3];
        long patchH = Math.Min(patch, h), patchW = Math.Min(patch, w), rows = h / patchH, cols = w / patchW;
        var squared = output.to(ScalarType.Float64).sub(target.to(ScalarType.Float64)).square()
            .narrow(2, 0, rows * patchH).narrow(3, 0, cols * patchW)
            .reshape(n, c, rows, patchH, cols, patchW);
        var worst = squared.mean([1, 3, 5]).reshape(n, rows * cols).amax(1).cpu();
        return [.. worst.data<double>().ToArray().Select(mse => -10 * Math.Log10(mse))];
    }
}
