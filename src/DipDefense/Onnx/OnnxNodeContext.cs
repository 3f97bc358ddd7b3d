using TorchSharp;
using static TorchSharp.torch;
using Onnx;

namespace DipDefense.Onnx;

/// <summary>What an op kernel sees of one node: its attributes, its input values, and the model's opset.</summary>
internal sealed class OnnxNodeContext
{
    readonly Tensor?[] _inputs;

    public OnnxNodeContext(NodeProto node, OnnxAttributes attributes, int opset, Tensor?[] inputs)
    {
        Node = node;
        Attributes = attributes;
        Opset = opset;
        _inputs = inputs;
    }

    public NodeProto Node { get; }

    public OnnxAttributes Attributes { get; }

    /// <summary>The version of the default ONNX domain the model imports.</summary>
    public int Opset { get; }

    public int InputCount => _inputs.Length;

    public bool HasInput(int index) => index < _inputs.Length && _inputs[index] is not null;

    public Tensor Input(int index) => OptionalInput(index)
        ?? throw new InvalidDataException($"ONNX node '{Node.Name}' ({Node.OpType}) lacks its required input #{index}.");

    public Tensor? OptionalInput(int index) => index < _inputs.Length ? _inputs[index] : null;

    /// <summary>The values of integer input <paramref name="index"/> (shapes, axes, pads) as a CPU array.</summary>
    public long[] Ints(int index) => OnnxTensorConversion.ToLongs(Input(index));

    public long[]? OptionalInts(int index) => HasInput(index) ? Ints(index) : null;

    /// <summary>An error naming this node, for unsupported attribute values met at run time.</summary>
    public NotSupportedException Unsupported(string what) =>
        new($"ONNX op '{Node.OpType}' (node '{Node.Name}'): {what} is not supported by DipDefense's importer.");
}

/// <summary>Evaluates one ONNX node; returns one tensor per node output (a fresh tensor object each).</summary>
internal delegate Tensor[] OnnxKernel(OnnxNodeContext context);
