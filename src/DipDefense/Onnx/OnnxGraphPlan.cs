using TorchSharp;
using static TorchSharp.torch;
using Onnx;

namespace DipDefense.Onnx;

/// <summary>One node left for run time, with its kernel.</summary>
internal sealed record OnnxStep(NodeProto Node, OnnxAttributes Attributes, OnnxKernel Kernel);

/// <summary>
/// An ONNX graph prepared for evaluation: the constants (initializers and folded nodes, CPU tensors owned by
/// the plan) and the nodes that depend on the runtime input, in topological order.
/// </summary>
internal sealed class OnnxGraphPlan
{
    public required string InputName { get; init; }

    /// <summary>Declared input shape; -1 marks a symbolic or unknown dimension; empty when undeclared.</summary>
    public required long[] InputShape { get; init; }

    public required ScalarType InputType { get; init; }

    public required string OutputName { get; init; }

    public required long[] OutputShape { get; init; }

    public required int Opset { get; init; }

    public required Dictionary<string, Tensor> Constants { get; init; }

    public required List<OnnxStep> Steps { get; init; }

    public required int FoldedNodeCount { get; init; }
}
