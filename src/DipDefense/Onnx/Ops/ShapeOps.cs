using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Shape manipulation: Flatten, Reshape, Concat, Transpose, Squeeze, Unsqueeze, Shape, Gather, Cast.</summary>
internal static class ShapeOps
{
    public static void Register(IDictionary<string, OnnxKernel> kernels)
    {
        kernels["Flatten"] = Flatten;
        kernels["Reshape"] = Reshape;
        kernels["Concat"] = Concat;
        kernels["Transpose"] = Transpose;
        kernels["Squeeze"] = Squeeze;
        kernels["Unsqueeze"] = Unsqueeze;
        kernels["Shape"] = Shape;
        kernels["Gather"] = Gather;
        kernels["Cast"] = ctx => [ctx.Input(0).to_type(OnnxTensorConversion.ToScalarType(ctx.Attributes.Int("to", 1)), copy: true)];
    }

    static long Normalize(long axis, long rank) => axis < 0 ? axis + rank : axis;

    static long Product(IEnumerable<long> dims) => dims.Aggregate(1L, (a, b) => a * b);

    static Tensor[] Flatten(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        int axis = (int)Normalize(ctx.Attributes.Int("axis", 1), x.dim());
        return [x.reshape(Product(x.shape.Take(axis)), Product(x.shape.Skip(axis)))];
    }

    static Tensor[] Reshape(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long[] shape = (ctx.Opset < 5 ? ctx.Attributes.Ints("shape") : ctx.Ints(1))
            ?? throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' (Reshape) has no shape.");
        if (ctx.Attributes.Int("allowzero", 0) == 0)
            shape = shape.Select((d, i) => d == 0 ? x.shape[i] : d).ToArray();
        return [x.reshape(shape)];
    }

    static Tensor[] Concat(OnnxNodeContext ctx)
    {
        var parts = Enumerable.Range(0, ctx.InputCount).Where(ctx.HasInput).Select(ctx.Input).ToArray();
        long axis = Normalize(ctx.Attributes.Int("axis", 0), parts[0].dim());
        return [torch.cat(parts, axis)];
    }

    static Tensor[] Transpose(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long[] perm = ctx.Attributes.Ints("perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
        return [x.permute(perm)];
    }

    static Tensor[] Squeeze(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long[]? axes = ctx.Opset >= 13 ? ctx.OptionalInts(1) : ctx.Attributes.Ints("axes");
        var drop = axes is { Length: > 0 }
            ? axes.Select(a => Normalize(a, x.dim())).ToHashSet()
            : Enumerable.Range(0, (int)x.dim()).Where(i => x.shape[i] == 1).Select(i => (long)i).ToHashSet();
        return [x.reshape(x.shape.Where((_, i) => !drop.Contains(i)).ToArray())];
    }

    static Tensor[] Unsqueeze(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long[] axes = (ctx.Opset >= 13 ? ctx.Ints(1) : ctx.Attributes.Ints("axes"))
            ?? throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' (Unsqueeze) has no axes.");
        long outRank = x.dim() + axes.Length;
        var inserted = axes.Select(a => Normalize(a, outRank)).ToHashSet();
        var shape = new long[outRank];
        for (int i = 0, j = 0; i < outRank; i++)
            shape[i] = inserted.Contains(i) ? 1 : x.shape[j++];
        return [x.reshape(shape)];
    }

    static Tensor[] Shape(OnnxNodeContext ctx)
    {
        long[] shape = ctx.Input(0).shape;
        long rank = shape.Length;
        long start = Math.Clamp(Normalize(ctx.Attributes.Int("start", 0), rank), 0, rank);
        long end = Math.Clamp(Normalize(ctx.Attributes.Int("end", rank), rank), 0, rank);
        return [torch.tensor(shape.Skip((int)start).Take((int)Math.Max(0, end - start)).ToArray(), ScalarType.Int64)];
    }

    static Tensor[] Gather(OnnxNodeContext ctx)
    {
        var data = ctx.Input(0);
        var indices = ctx.Input(1);
        long axis = Normalize(ctx.Attributes.Int("axis", 0), data.dim());
        long size = data.shape[axis];
        using var scope = torch.NewDisposeScope();
        var idx = indices.to_type(ScalarType.Int64);
        using (Scalar sizeScalar = size.ToScalar(), one = 1.ToScalar()) // explicit: see ElementwiseOps.One
            idx = idx.add(idx.lt(0).to_type(ScalarType.Int64).mul(sizeScalar), one).flatten().to(data.device);
        long[] shape = [.. data.shape.Take((int)axis), .. indices.shape, .. data.shape.Skip((int)axis + 1)];
        return [data.index_select(axis, idx).reshape(shape).MoveToOuterDisposeScope()];
    }
}
