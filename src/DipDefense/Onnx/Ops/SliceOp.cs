using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx.Ops;

/// <summary>Slice with ONNX clamping, negative indices and negative steps (opset 1 attributes, opset 10+ inputs).</summary>
internal static class SliceOp
{
    public static void Register(IDictionary<string, OnnxKernel> kernels) => kernels["Slice"] = Slice;

    static Tensor[] Slice(OnnxNodeContext ctx)
    {
        var x = ctx.Input(0);
        long[] starts, ends;
        long[]? axes, steps = null;
        if (ctx.Opset < 10)
        {
            starts = ctx.Attributes.Ints("starts") ?? [];
            ends = ctx.Attributes.Ints("ends") ?? [];
            axes = ctx.Attributes.Ints("axes");
        }
        else
        {
            starts = ctx.Ints(1);
            ends = ctx.Ints(2);
            axes = ctx.OptionalInts(3);
            steps = ctx.OptionalInts(4);
        }
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= SpatialPadding.Filled(starts.Length, 1);

        using var scope = torch.NewDisposeScope();
        var y = x;
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + x.dim() : axes[i];
            long dim = y.shape[axis], step = steps[i];
            if (step == 0)
                throw new InvalidDataException($"ONNX node '{ctx.Node.Name}' (Slice) has a zero step.");
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, dim);
                end = Math.Clamp(end, 0, dim);
                y = y.slice(axis, start, Math.Max(start, end), step);
            }
            else
            {
                start = Math.Clamp(start, 0, dim - 1);
                end = Math.Clamp(end, -1, dim - 1);
                var picked = new List<long>();
                for (long k = start; k > end; k += step)
                    picked.Add(k);
                y = y.index_select(axis, torch.tensor(picked.ToArray(), ScalarType.Int64, y.device));
            }
        }
        if (ReferenceEquals(y, x))
            y = x.alias();
        return [y.MoveToOuterDisposeScope()];
    }
}
