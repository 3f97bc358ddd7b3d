using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Conv and ConvTranspose (1-D via a lifted 2-D convolution, 2-D, 3-D).</summary>
internal static class ConvolutionOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["Conv"] = Conv;
        kernels["ConvTranspose"] = ConvTranspose;
    }

    static Tensor[] Conv(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        var w = ctx.Input(1);
        var b = ctx.OptionalInput(2);
        int n = (int)x.dim() - 2;
        var a = ctx.Attributes;
        long[] kernel = a.Ints("kernel_shape") ?? w.shape.Skip(2).ToArray();
        long[] strides = a.Ints("strides") ?? SpatialPadding.Filled(n, 1);
        long[] dilations = a.Ints("dilations") ?? SpatialPadding.Filled(n, 1);
        long group = a.Int("group", 1);
        long[] pads = SpatialPadding.Resolve(ctx, x.shape.Skip(2).ToArray(), kernel, strides, dilations);

        DipDefense.Dip.ConvolutionBackends.EnsureOff(); // the victim's convolutions run without gradients, often on one thread
        using var scope = torch.NewDisposeScope();
        if (!SpatialPadding.IsSymmetric(pads))
        {
            x = SpatialPadding.PadExplicit(x, pads, 0.0);
            pads = SpatialPadding.Filled(2 * n, 0);
        }
        var begins = SpatialPadding.Begins(pads);
        Tensor y = n switch
        {
            1 => nn.functional.conv2d(x.unsqueeze(-1), w.unsqueeze(-1), b, [strides[0], 1], [begins[0], 0], [dilations[0], 1], group).squeeze(-1),
            2 => nn.functional.conv2d(x, w, b, strides, begins, dilations, group),
            3 => nn.functional.conv3d(x, w, b, strides, begins, dilations, group),
            _ => throw ctx.Unsupported($"a {n}-D convolution"),
        };
        return [y.MoveToOuterDisposeScope()];
    }

    static Tensor[] ConvTranspose(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        var w = ctx.Input(1);
        var b = ctx.OptionalInput(2);
        int n = (int)x.dim() - 2;
        var a = ctx.Attributes;
        long[] inSizes = x.shape.Skip(2).ToArray();
        long[] kernel = a.Ints("kernel_shape") ?? w.shape.Skip(2).ToArray();
        long[] strides = a.Ints("strides") ?? SpatialPadding.Filled(n, 1);
        long[] dilations = a.Ints("dilations") ?? SpatialPadding.Filled(n, 1);
        long[] outputPadding = a.Ints("output_padding") ?? SpatialPadding.Filled(n, 0);
        long group = a.Int("group", 1);
        string autoPad = a.String("auto_pad", "NOTSET");
        long[]? outputShape = a.Ints("output_shape");
        if (outputShape is { Length: > 0 } && outputShape.Length > n)
            outputShape = outputShape.Skip(outputShape.Length - n).ToArray();

        long[] pads;
        if (outputShape is { Length: > 0 } || autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            pads = new long[2 * n];
            for (int i = 0; i < n; i++)
            {
                long target = outputShape is { Length: > 0 } ? outputShape[i] : inSizes[i] * strides[i];
                long total = strides[i] * (inSizes[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - target;
                long half = total / 2;
                (pads[i], pads[i + n]) = autoPad == "SAME_UPPER" ? (half, total - half) : (total - half, half);
            }
        }
        else if (autoPad is "NOTSET")
            pads = a.Ints("pads") ?? SpatialPadding.Filled(2 * n, 0);
        else if (autoPad is "VALID")
            pads = SpatialPadding.Filled(2 * n, 0);
        else
            throw ctx.Unsupported($"auto_pad '{autoPad}'");

        using var scope = torch.NewDisposeScope();
        bool symmetric = SpatialPadding.IsSymmetric(pads) && pads.All(p => p >= 0);
        long[] torchPads = symmetric ? SpatialPadding.Begins(pads) : SpatialPadding.Filled(n, 0);
        Tensor y = n switch
        {
            1 => nn.functional.conv_transpose2d(x.unsqueeze(-1), w.unsqueeze(-1), b, [strides[0], 1], [torchPads[0], 0], [outputPadding[0], 0], [dilations[0], 1], group).squeeze(-1),
            2 => nn.functional.conv_transpose2d(x, w, b, strides, torchPads, outputPadding, dilations, group),
            3 => nn.functional.conv_transpose3d(x, w, b, strides, torchPads, outputPadding, dilations, group),
            _ => throw ctx.Unsupported($"a {n}-D transposed convolution"),
        };
        if (!symmetric) // crop (positive pads) or extend (negative pads) the full output
            y = SpatialPadding.PadExplicit(y, pads.Select(p => -p).ToArray(), 0.0);
        return [y.MoveToOuterDisposeScope()];
    }
}
