using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Pad in constant, reflect and edge modes (opset 2 attributes, opset 11+ inputs, opset 18 axes).</summary>
internal static class PadOp
{
    public static readonly string[] Modes = ["constant", "reflect", "edge"];

    public static void Register(IDictionary<string, OnnxKernel> kernels) => kernels["Pad"] = Pad;

    static Tensor[] Pad(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        int rank = (int)x.dim();
        string mode = ctx.Attributes.String("mode", "constant");
        long[] pads;
        double value = 0;
        if (ctx.Opset < 11)
        {
            pads = ctx.Attributes.Ints("pads") ?? ctx.Attributes.Ints("paddings") ?? new long[2 * rank];
            value = ctx.Attributes.Float("value", 0f);
        }
        else
        {
            pads = ctx.Ints(1);
            if (ctx.HasInput(2) && ctx.Input(2).numel() > 0)
                value = OnnxTensorConversion.ToScalar(ctx.Input(2));
            if (ctx.OptionalInts(3) is { } axes)
            {
                var full = new long[2 * rank];
                for (int i = 0; i < axes.Length; i++)
                {
                    long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
                    full[axis] = pads[i];
                    full[axis + rank] = pads[i + axes.Length];
                }
                pads = full;
            }
        }
        if (pads.Length != 2 * rank)
            throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' (Pad) has {pads.Length} pads for a rank-{rank} input.");

        // torch pads the trailing dimensions: include every dimension from the first padded one on.
        int first = Enumerable.Range(0, rank).FirstOrDefault(d => pads[d] != 0 || pads[d + rank] != 0, rank);
        if (first == rank)
            return [x.alias()];
        var padMode = mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            _ => throw ctx.Unsupported($"mode '{mode}'"),
        };
        int count = rank - first;
        if (padMode != PaddingModes.Constant)
        {
            // reflect/replicate pad the last 1-3 dimensions of a tensor with one or two leading dimensions.
            count = Math.Max(count, rank - 2);
            if (count < 1 || count > 3 || rank - count is < 1 or > 2 || pads.Any(p => p < 0))
                throw ctx.Unsupported($"mode '{mode}' with pads [{string.Join(",", pads)}] on a rank-{rank} input");
        }
        var torchPads = new long[2 * count];
        for (int i = 0; i < count; i++)
        {
            int dim = rank - 1 - i;
            torchPads[2 * i] = pads[dim];
            torchPads[2 * i + 1] = pads[dim + rank];
        }
        return [nn.functional.pad(x, torchPads, padMode, value)];
    }
}
