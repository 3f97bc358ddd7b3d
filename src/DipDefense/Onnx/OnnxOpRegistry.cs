using DipDefense.Onnx.Ops;
using Onnx;

namespace DipDefense.Onnx;

/// <summary>The op kernels DipDefense's importer knows, and the import-time check that a graph uses only them.</summary>
internal static class OnnxOpRegistry
{
    static readonly Dictionary<string, OnnxKernel> Kernels = Build();

    /// <summary>Every supported op type, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } = Kernels.Keys.Order(StringComparer.Ordinal).ToArray();

    static Dictionary<string, OnnxKernel> Build()
    {
        var kernels = new Dictionary<string, OnnxKernel>(StringComparer.Ordinal);
        ConstantOps.Register(kernels);
        ConvolutionOps.Register(kernels);
        PoolingOps.Register(kernels);
        NormalizationOps.Register(kernels);
        LinearOps.Register(kernels);
        ElementwiseOps.Register(kernels);
        ShapeOps.Register(kernels);
        SliceOp.Register(kernels);
        PadOp.Register(kernels);
        return kernels;
    }

    public static OnnxKernel Kernel(string opType) => Kernels[opType];

    /// <summary>Throws <see cref="NotSupportedException"/> naming the op and node when the node cannot be evaluated.</summary>
    public static void Validate(NodeProto node)
    {
        string where = $"ONNX op '{node.OpType}' (node '{node.Name}')";
        if (node.Domain is not ("" or "ai.onnx"))
            throw new NotSupportedException($"{where} is in domain '{node.Domain}', which DipDefense's importer does not support; it supports the default ONNX domain only.");
        if (!Kernels.ContainsKey(node.OpType))
            throw new NotSupportedException($"{where} is not supported by DipDefense's importer; supported: {string.Join(", ", SupportedOps)}.");
        var attrs = new OnnxAttributes(node);
        if (node.OpType == "MaxPool" && node.Output.Count > 1 && node.Output[1].Length > 0)
            throw new NotSupportedException($"{where}: the Indices output of MaxPool is not supported by DipDefense's importer.");
        if (node.OpType == "BatchNormalization" && attrs.Int("training_mode", 0) != 0)
            throw new NotSupportedException($"{where}: BatchNormalization in training mode is not supported by DipDefense's importer (inference only).");
        if (node.OpType == "Pad" && !PadOp.Modes.Contains(attrs.String("mode", "constant")))
            throw new NotSupportedException($"{where}: Pad mode '{attrs.String("mode", "constant")}' is not supported by DipDefense's importer; supported: {string.Join(", ", PadOp.Modes)}.");
    }
}
