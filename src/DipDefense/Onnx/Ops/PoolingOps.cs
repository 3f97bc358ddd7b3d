using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>MaxPool, AveragePool (1-D via a lifted 2-D pool, 2-D, 3-D), GlobalAveragePool and GlobalMaxPool.</summary>
internal static class PoolingOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["MaxPool"] = MaxPool;
        kernels["AveragePool"] = AveragePool;
        kernels["GlobalAveragePool"] = ctx => [ctx.Input(0).mean(SpatialDims(ctx.Input(0)), keepdim: true)];
        kernels["GlobalMaxPool"] = ctx => [ctx.Input(0).amax(SpatialDims(ctx.Input(0)), keepdim: true)];
    }

    static long[] SpatialDims(Tensor x) => Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray();

    record struct PoolGeometry(long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, bool CeilMode);

    static PoolGeometry Geometry(OnnxNodeContext ctx, Tensor x)
    {
        int n = (int)x.dim() - 2;
        var a = ctx.Attributes;
        long[] kernel = a.Ints("kernel_shape") ?? throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' ({ctx.Node.OpType}) lacks kernel_shape.");
        long[] strides = a.Ints("strides") ?? SpatialPadding.Filled(n, 1);
        long[] dilations = a.Ints("dilations") ?? SpatialPadding.Filled(n, 1);
        long[] pads = SpatialPadding.Resolve(ctx, x.shape.Skip(2).ToArray(), kernel, strides, dilations);
        return new PoolGeometry(kernel, strides, dilations, pads, a.Int("ceil_mode", 0) != 0);
    }

    /// <summary>Whether TorchSharp's pool can take the pads itself (symmetric, at most half the kernel).</summary>
    static bool NativePads(PoolGeometry g) =>
        SpatialPadding.IsSymmetric(g.Pads) && SpatialPadding.Begins(g.Pads).Select((p, i) => p <= g.Kernel[i] / 2).All(ok => ok);

    static Tensor[] MaxPool(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        var g = Geometry(ctx, x);
        int n = g.Kernel.Length;
        using var scope = torch.NewDisposeScope();
        if (!NativePads(g))
        {
            x = SpatialPadding.PadExplicit(x, g.Pads, double.NegativeInfinity);
            g = g with { Pads = SpatialPadding.Filled(2 * n, 0) };
        }
        var p = SpatialPadding.Begins(g.Pads);
        Tensor y = n switch
        {
            1 => nn.functional.max_pool2d(x.unsqueeze(-1), [g.Kernel[0], 1], [g.Strides[0], 1], [p[0], 0], [g.Dilations[0], 1], g.CeilMode).squeeze(-1),
            2 => nn.functional.max_pool2d(x, g.Kernel, g.Strides, p, g.Dilations, g.CeilMode),
            3 => nn.functional.max_pool3d(x, g.Kernel, g.Strides, p, g.Dilations, g.CeilMode),
            _ => throw ctx.Unsupported($"a {n}-D max pool"),
        };
        return [y.MoveToOuterDisposeScope()];
    }

    static Tensor[] AveragePool(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        var g = Geometry(ctx, x);
        if (g.Dilations.Any(d => d != 1))
            throw ctx.Unsupported("a dilated average pool");
        bool countIncludePad = ctx.Attributes.Int("count_include_pad", 0) != 0;
        int n = g.Kernel.Length;
        using var scope = torch.NewDisposeScope();
        Tensor y;
        if (NativePads(g))
            y = Pool(ctx, x, g, SpatialPadding.Begins(g.Pads), countIncludePad);
        else
        {
            // Pad explicitly; without count_include_pad divide by the pooled mask of real elements.
            var zero = SpatialPadding.Filled(n, 0);
            var padded = SpatialPadding.PadExplicit(x, g.Pads, 0.0);
            y = Pool(ctx, padded, g, zero, true);
            if (!countIncludePad)
            {
                var ones = torch.ones([1, 1, .. x.shape.Skip(2)], x.dtype, x.device);
                var mask = Pool(ctx, SpatialPadding.PadExplicit(ones, g.Pads, 0.0), g, zero, true);
                y = y / mask;
            }
        }
        return [y.MoveToOuterDisposeScope()];
    }

    static Tensor Pool(OnnxNodeContext ctx, Tensor x, PoolGeometry g, long[] p, bool countIncludePad) => g.Kernel.Length switch
    {
        1 => nn.functional.avg_pool2d(x.unsqueeze(-1), [g.Kernel[0], 1], [g.Strides[0], 1], [p[0], 0], g.CeilMode, countIncludePad).squeeze(-1),
        2 => nn.functional.avg_pool2d(x, g.Kernel, g.Strides, p, g.CeilMode, countIncludePad),
        3 => nn.functional.avg_pool3d(x, g.Kernel, g.Strides, p, g.CeilMode, countIncludePad),
        _ => throw ctx.Unsupported($"a {g.Kernel.Length}-D average pool"),
    };
}
