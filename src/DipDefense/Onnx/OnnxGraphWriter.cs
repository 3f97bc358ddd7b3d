using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;

namespace DipDefense.Onnx;

/// <summary>Builds an ONNX float32 graph node by node (initializers, nodes, input and output declarations).</summary>
internal sealed class OnnxGraphWriter
{
    /// <summary>The operator set version the exported graphs use.</summary>
    public const int Opset = 13;

    readonly GraphProto _graph = new() { Name = "dipdefense" };
    readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Adds a float32 initializer holding <paramref name="tensor"/>; returns its (unique) name.</summary>
    public string Initializer(string name, Tensor tensor)
    {
        name = Unique(name);
        _graph.Initializer.Add(OnnxTensorConversion.FromTorchFloat(name, tensor));
        return name;
    }

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        name = Unique(name);
        string output = Unique(name + "_output");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Renames the output of the last node (so the graph output gets a chosen name).</summary>
    public void RenameLastOutput(string from, string to)
    {
        var node = _graph.Node.Last(n => n.Output.Contains(from));
        node.Output[node.Output.IndexOf(from)] = to;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float32 tensor declaration; dimension 0 is the symbolic batch "N".</summary>
    public static ValueInfoProto Declaration(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (int i = 0; i < shape.Length; i++)
            tensorShape.Dim.Add(i == 0
                ? new TensorShapeProto.Types.Dimension { DimParam = "N" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = tensorShape } },
        };
    }

    /// <summary>The finished model with the given input and output declarations.</summary>
    public ModelProto Build(ValueInfoProto input, ValueInfoProto output)
    {
        _graph.Input.Add(input);
        _graph.Output.Add(output);
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "DipDefense",
            ProducerVersion = typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
            candidate = $"{name}_{i}";
        return candidate;
    }
}
