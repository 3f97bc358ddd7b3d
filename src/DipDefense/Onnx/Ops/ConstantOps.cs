using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Constant and ConstantOfShape (always folded at import).</summary>
internal static class ConstantOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["Constant"] = Constant;
        kernels["ConstantOfShape"] = ConstantOfShape;
    }

    static Tensor[] Constant(OnnxNodeContext ctx)
    {
        var a = ctx.Attributes;
        if (a.Tensor("value") is { } proto && a.Has("value"))
            return [OnnxTensorConversion.ToTorch(proto)];
        if (a.Has("value_float"))
            return [torch.tensor(a.Float("value_float", 0f))];
        if (a.Floats("value_floats") is { } floats)
            return [torch.tensor(floats)];
        if (a.Has("value_int"))
            return [torch.tensor(a.Int("value_int", 0))];
        if (a.Ints("value_ints") is { } ints)
            return [torch.tensor(ints)];
        throw ctx.Unsupported("a Constant without value/value_float(s)/value_int(s)");
    }

    static Tensor[] ConstantOfShape(OnnxNodeContext ctx)
    {
        long[] shape = ctx.Ints(0);
        using var scope = torch.NewDisposeScope();
        var value = ctx.Attributes.Tensor("value") is { } proto && ctx.Attributes.Has("value")
            ? OnnxTensorConversion.ToTorch(proto)
            : torch.zeros(1, ScalarType.Float32);
        var y = value.reshape(Array.Empty<long>()).expand(shape).clone();
        return [y.MoveToOuterDisposeScope()];
    }
}
