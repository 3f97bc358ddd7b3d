using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>BatchNormalization (inference), Softmax and ReduceMean.</summary>
internal static class NormalizationOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["BatchNormalization"] = BatchNormalization;
        kernels["Softmax"] = Softmax;
        kernels["ReduceMean"] = ReduceMean;
    }

    static Tensor[] BatchNormalization(OnnxNodeContext ctx)
    {
        // Inputs: X, scale, B, input_mean, input_var. Inference: the running statistics are used.
        double eps = ctx.Attributes.Float("epsilon", 1e-5f);
        var y = nn.functional.batch_norm(ctx.Input(0), ctx.Input(3), ctx.Input(4), ctx.Input(1), ctx.Input(2), training: false, eps: eps);
        return [y];
    }

    static Tensor[] Softmax(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long rank = x.dim();
        if (ctx.Opset >= 13)
        {
            long axis = ctx.Attributes.Int("axis", -1);
            return [nn.functional.softmax(x, axis < 0 ? axis + rank : axis)];
        }
        // Before opset 13 the input is coerced to 2-D at 'axis' (default 1).
        long coerced = ctx.Attributes.Int("axis", 1);
        if (coerced < 0) coerced += rank;
        long outer = x.shape.Take((int)coerced).Aggregate(1L, (a, b) => a * b);
        long inner = x.shape.Skip((int)coerced).Aggregate(1L, (a, b) => a * b);
        using var scope = torch.NewDisposeScope();
        var y = nn.functional.softmax(x.reshape(outer, inner), 1).reshape(x.shape);
        return [y.MoveToOuterDisposeScope()];
    }

    static Tensor[] ReduceMean(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        bool keep = ctx.Attributes.Int("keepdims", 1) != 0;
        long[]? axes = ctx.Opset >= 18 ? ctx.OptionalInts(1) : ctx.Attributes.Ints("axes");
        if (axes is null || axes.Length == 0)
        {
            if (ctx.Opset >= 18 && ctx.Attributes.Int("noop_with_empty_axes", 0) != 0)
                return [x.alias()];
            axes = Enumerable.Range(0, (int)x.dim()).Select(i => (long)i).ToArray();
        }
        axes = axes.Select(a => a < 0 ? a + x.dim() : a).ToArray();
        return [x.mean(axes, keep)];
    }
}
