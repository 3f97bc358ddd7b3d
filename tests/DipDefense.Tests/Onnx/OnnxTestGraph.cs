using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DipDefense.Tests.Onnx;

/// <summary>Builds tiny ONNX models in tests (float32 inputs and outputs).</summary>
internal sealed class OnnxTestGraph
{
    readonly GraphProto _graph = new() { Name = "test" };
    readonly int _opset;

    public OnnxTestGraph(int opset = 13) => _opset = opset;

    /// <summary>Declares a float input; a negative dimension is symbolic.</summary>
    public OnnxTestGraph Input(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        _graph.Input.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } },
        });
        return this;
    }

    public OnnxTestGraph Output(string name)
    {
        _graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } },
        });
        return this;
    }

    public OnnxTestGraph Floats(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxTestGraph Longs(string name, long[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Int64Data.AddRange(data);
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxTestGraph Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        NamedNode(op, $"{op.ToLowerInvariant()}_{_graph.Node.Count}", inputs, outputs, attributes);

    public OnnxTestGraph NamedNode(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "DipDefense.Tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        using var stream = new MemoryStream();
        model.WriteTo(stream);
        return stream.ToArray();
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Str(string name, string value) => new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>Deterministic values uniform in [lo, hi).</summary>
    public static float[] Random(int count, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ => lo + (hi - lo) * (float)rng.NextDouble()).ToArray();
    }
}
