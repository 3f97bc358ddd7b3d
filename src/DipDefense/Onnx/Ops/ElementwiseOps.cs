using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Broadcasting arithmetic, activations, Clip, Identity and Dropout (inference).</summary>
internal static class ElementwiseOps
{
    // Add passes alpha 1 explicitly: `a + b` would make it a temporary Scalar, which the finalizer thread can free
    // while libtorch still reads it when the victim runs on the DIP workers (the early stop queries it there). Held for the
    // process's life; an integer, so that shape arithmetic on int64 tensors accepts it.
    static readonly Scalar One = 1.ToScalar();

    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["Add"] = ctx => Binary(ctx, (a, b) => a.add(b, One));
        kernels["Sub"] = ctx => Binary(ctx, (a, b) => a - b);
        kernels["Mul"] = ctx => Binary(ctx, (a, b) => a * b);
        kernels["Div"] = ctx => Binary(ctx, (a, b) =>
            !OnnxTensorConversion.IsFloating(a.dtype) && !OnnxTensorConversion.IsFloating(b.dtype) ? a.div(b, RoundingMode.trunc) : a / b);
        kernels["Pow"] = ctx => Binary(ctx, (a, b) => a.pow(b));
        kernels["Neg"] = ctx => [ctx.Input(0).neg()];
        kernels["Abs"] = ctx => [ctx.Input(0).abs()];
        kernels["Sqrt"] = ctx => [ctx.Input(0).sqrt()];
        kernels["Exp"] = ctx => [ctx.Input(0).exp()];
        kernels["Relu"] = ctx => [nn.functional.relu(ctx.Input(0))];
        kernels["LeakyRelu"] = ctx => [nn.functional.leaky_relu(ctx.Input(0), ctx.Attributes.Float("alpha", 0.01f))];
        kernels["Sigmoid"] = ctx => [ctx.Input(0).sigmoid()];
        kernels["Tanh"] = ctx => [ctx.Input(0).tanh()];
        kernels["Clip"] = Clip;
        kernels["Identity"] = ctx => [ctx.Input(0).alias()];
        kernels["Dropout"] = Dropout;
    }

    static Tensor[] Binary(OnnxNodeContext ctx, Func<Tensor, Tensor, Tensor> op)
    {
        var a = ctx.Input(0);
        var b = ctx.Input(1);
        if (!OnnxTensorConversion.SameDevice(a, b))
        {
            using var scope = torch.NewDisposeScope();
            // Shape values live on the CPU; bring them to the other operand's device.
            var result = a.device_type == DeviceType.CPU ? op(a.to(b.device), b) : op(a, b.to(a.device));
            return [result.MoveToOuterDisposeScope()];
        }
        return [op(a, b)];
    }

    static Tensor[] Clip(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        double? min, max;
        if (ctx.Opset < 11)
        {
            min = ctx.Attributes.Has("min") ? ctx.Attributes.Float("min", 0) : null;
            max = ctx.Attributes.Has("max") ? ctx.Attributes.Float("max", 0) : null;
        }
        else
        {
            min = ctx.HasInput(1) ? OnnxTensorConversion.ToScalar(ctx.Input(1)) : null;
            max = ctx.HasInput(2) ? OnnxTensorConversion.ToScalar(ctx.Input(2)) : null;
        }
        if (min is null && max is null)
            return [x.alias()];
        using Scalar? low = min?.ToScalar(), high = max?.ToScalar(); // explicit: see One
        if (low is null)
            return [x.clamp_max(high!)];
        if (high is null)
            return [x.clamp_min(low)];
        return [x.clamp(low, high)];
    }

    static Tensor[] Dropout(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        return ctx.Node.Output.Count > 1
            ? [x.alias(), torch.ones_like(x, ScalarType.Bool)]
            : [x.alias()];
    }
}
