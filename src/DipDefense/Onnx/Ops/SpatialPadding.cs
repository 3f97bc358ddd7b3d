using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>ONNX spatial padding (pads, auto_pad) for Conv and the pooling ops, and its translation to TorchSharp.</summary>
internal static class SpatialPadding
{
    public static long[] Filled(int count, long value) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>
    /// The explicit pads [x1_begin, x2_begin, ..., x1_end, x2_end] for the node's auto_pad/pads attributes
    /// and the input's spatial sizes.
    /// </summary>
    public static long[] Resolve(OnnxNodeContext ctx, long[] spatialSizes, long[] kernel, long[] strides, long[] dilations)
    {
        int n = spatialSizes.Length;
        string autoPad = ctx.Attributes.String("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
                var pads = ctx.Attributes.Ints("pads") ?? Filled(2 * n, 0);
                if (pads.Length != 2 * n)
                    throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' has {pads.Length} pads for {n} spatial dimensions.");
                return pads;
            case "VALID":
                return Filled(2 * n, 0);
            case "SAME_UPPER":
            case "SAME_LOWER":
                var result = new long[2 * n];
                for (int i = 0; i < n; i++)
                {
                    long output = (spatialSizes[i] + strides[i] - 1) / strides[i];
                    long effectiveKernel = (kernel[i] - 1) * dilations[i] + 1;
                    long total = Math.Max(0, (output - 1) * strides[i] + effectiveKernel - spatialSizes[i]);
                    long small = total / 2, large = total - small;
                    result[i] = autoPad == "SAME_UPPER" ? small : large;
                    result[i + n] = autoPad == "SAME_UPPER" ? large : small;
                }
                return result;
            default:
                throw ctx.Unsupported($"auto_pad '{autoPad}'");
        }
    }

    public static bool IsSymmetric(long[] pads)
    {
        int n = pads.Length / 2;
        for (int i = 0; i < n; i++)
            if (pads[i] != pads[i + n]) return false;
        return true;
    }

    public static long[] Begins(long[] pads) => pads.Take(pads.Length / 2).ToArray();

    /// <summary>ONNX pads for the trailing spatial dimensions in torch.nn.functional.pad order (last dimension first).</summary>
    public static long[] ToTorchOrder(long[] pads)
    {
        int n = pads.Length / 2;
        var result = new long[2 * n];
        for (int i = 0; i < n; i++)
        {
            int dim = n - 1 - i;
            result[2 * i] = pads[dim];
            result[2 * i + 1] = pads[dim + n];
        }
        return result;
    }

    /// <summary>Pads the trailing spatial dimensions of <paramref name="x"/> explicitly.</summary>
    public static Tensor PadExplicit(Tensor x, long[] pads, double value) =>
        nn.functional.pad(x, ToTorchOrder(pads), PaddingModes.Constant, value);
}
