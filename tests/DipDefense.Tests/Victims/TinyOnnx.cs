using Google.Protobuf;
using Onnx;

namespace DipDefense.Tests.Victims;

/// <summary>
/// Builds tiny ONNX models (ir_version 8, opset 13) for the classifier tests. A dimension is an
/// <see cref="int"/> (fixed) or a <see cref="string"/> (symbolic).
/// </summary>
internal sealed class TinyOnnx
{
    public const int Float = 1;  // TensorProto.DataType.FLOAT
    public const int Double = 11; // TensorProto.DataType.DOUBLE

    readonly GraphProto graph = new() { Name = "tiny" };

    public TinyOnnx Input(string name, int elemType, params object[] dims)
    {
        graph.Input.Add(ValueInfo(name, elemType, dims));
        return this;
    }

    public TinyOnnx Output(string name, int elemType, params object[] dims)
    {
        graph.Output.Add(ValueInfo(name, elemType, dims));
        return this;
    }

    public TinyOnnx Initializer(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    public TinyOnnx Initializer(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = 7 }; // INT64
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    public TinyOnnx Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return this;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "DipDefense.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    static ValueInfoProto ValueInfo(string name, int elemType, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim switch
            {
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                _ => throw new ArgumentException($"dimension {dim} is neither int nor string"),
            });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        };
    }

    // ---- ready-made models ---------------------------------------------------------------------

    /// <summary>
    /// Conv(C→K, 3×3, pad 1) + GlobalAveragePool + Flatten: input "x" [batch, C, H, W], output "y" [batch, K]
    /// (or [batch, "K"] when <paramref name="symbolicK"/>). Reproduce with <see cref="ConvGapReference"/>.
    /// </summary>
    public static byte[] ConvGap(float[] weight, float[] bias, object batch, int c, int h, int w, bool symbolicK = false)
    {
        int k = bias.Length;
        return new TinyOnnx()
            .Input("x", Float, batch, c, h, w)
            .Output("y", Float, batch, symbolicK ? "K" : k)
            .Initializer("W", [k, c, 3, 3], weight)
            .Initializer("B", [k], bias)
            .Node("Conv", ["x", "W", "B"], ["conv"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1))
            .Node("GlobalAveragePool", ["conv"], ["gap"])
            .Node("Flatten", ["gap"], ["y"])
            .ToBytes();
    }

    /// <summary>The same computation as <see cref="ConvGap"/> in TorchSharp.</summary>
    public static Tensor ConvGapReference(Tensor x, float[] weight, float[] bias)
    {
        using var scope = torch.NewDisposeScope();
        int k = bias.Length;
        var w = torch.tensor(weight, [k, x.shape[1], 3, 3]);
        var b = torch.tensor(bias);
        return nn.functional.conv2d(x, w, b, padding: [1, 1]).mean([2, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>Random weights for a ConvGap model with C inputs and K outputs.</summary>
    public static (float[] Weight, float[] Bias) RandomConv(int c, int k, int seed)
    {
        var random = new Random(seed);
        var weight = new float[k * c * 9];
        var bias = new float[k];
        for (int i = 0; i < weight.Length; i++) weight[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)(random.NextDouble() * 2 - 1);
        return (weight, bias);
    }
}
