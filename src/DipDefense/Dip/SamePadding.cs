using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// "Same" padding for the DIP generator's convolutions, and the reflection padding of whole grids.
/// </summary>
/// <remarks>
/// A kernel of size k pads (k − 1) / 2 pixels before and k / 2 after each spatial side (integer
/// division): symmetric for odd k (DIP's <c>ReflectionPad2d((k − 1) / 2)</c>); for even k this equals
/// padding k / 2 on both sides and cropping the first row and column of the stride-1 result. With it a
/// stride-1 convolution keeps H × W and a stride-2 one gives ⌈H / 2⌉ × ⌈W / 2⌉ for every k.
/// Reflection needs a pad smaller than the side it mirrors; when a deep level is smaller than that
/// (e.g. the large preset's 4×4 kernel on a 2×2 map), the pad is applied in successive reflections of
/// the already padded tensor, and a side of one pixel is replicated.
/// </remarks>
internal static class SamePadding
{
    /// <summary>Pads <paramref name="x"/> [N, C, H, W] so that a k×k convolution keeps the "same" size.</summary>
    public static Tensor ForKernel(Tensor x, int kernel, DipPadding mode)
    {
        int before = (kernel - 1) / 2, after = kernel / 2;
        return Pad(x, before, after, before, after, mode);
    }

    /// <summary>Pads [N, C, H, W] by the given amounts (left, right, top, bottom) with reflection or zeros.</summary>
    public static Tensor Pad(Tensor x, long left, long right, long top, long bottom, DipPadding mode)
    {
        if (left == 0 && right == 0 && top == 0 && bottom == 0)
            return x.alias();
        if (mode == DipPadding.Zeros)
            return nn.functional.pad(x, [left, right, top, bottom], PaddingModes.Zeros);

        using var scope = NewDisposeScope();
        Tensor current = x;
        while (left > 0 || right > 0 || top > 0 || bottom > 0)
        {
            long width = current.shape[3], height = current.shape[2];
            if (width == 1 || height == 1)
            {
                // A single row or column has nothing to mirror: repeat it (reflection degenerates).
                current = nn.functional.pad(current, [left, right, top, bottom], PaddingModes.Replicate);
                break;
            }
            long l = Math.Min(left, width - 1), r = Math.Min(right, width - 1);
            long t = Math.Min(top, height - 1), b = Math.Min(bottom, height - 1);
            current = nn.functional.pad(current, [l, r, t, b], PaddingModes.Reflect);
            left -= l; right -= r; top -= t; bottom -= b;
        }
        return current.MoveToOuterDisposeScope();
    }
}
