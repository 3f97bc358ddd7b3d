using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Gemm (alpha, beta, transA, transB) and MatMul.</summary>
internal static class LinearOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["Gemm"] = Gemm;
        kernels["MatMul"] = ctx => [ctx.Input(0).matmul(ctx.Input(1))];
    }

    static Tensor[] Gemm(OnnxNodeContext ctx)
    {
        var attrs = ctx.Attributes;
        double alpha = attrs.Float("alpha", 1f), beta = attrs.Float("beta", 1f);
        using var scope = torch.NewDisposeScope();
        var a = attrs.Int("transA", 0) != 0 ? ctx.Input(0).t() : ctx.Input(0);
        var b = attrs.Int("transB", 0) != 0 ? ctx.Input(1).t() : ctx.Input(1);
        var y = a.matmul(b);
        // Explicit scalars: temporary ones can be freed by the finalizer thread while libtorch reads them (ElementwiseOps.One).
        using Scalar alphaScalar = alpha.ToScalar(), betaScalar = beta.ToScalar();
        if (alpha != 1.0)
            y = y.mul(alphaScalar);
        if (ctx.OptionalInput(2) is { } c && beta != 0.0)
            y = y.add(c, betaScalar);
        return [y.MoveToOuterDisposeScope()];
    }
}
