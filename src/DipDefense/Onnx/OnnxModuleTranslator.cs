using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Onnx;

/// <summary>
/// Translates a TorchSharp module tree (Sequential nesting of the supported layers) into ONNX nodes,
/// tracking the activation shape so that pooling, Linear and the output declaration are exact.
/// </summary>
internal sealed class OnnxModuleTranslator
{
    /// <summary>The module types the exporter translates.</summary>
    public static readonly string[] SupportedModules =
        ["Sequential", "Conv2d", "BatchNorm2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "MaxPool2d", "AvgPool2d",
         "AdaptiveAvgPool2d(1)", "Flatten", "Linear", "Dropout", "Identity"];

    readonly OnnxGraphWriter _writer;

    public OnnxModuleTranslator(OnnxGraphWriter writer) => _writer = writer;

    /// <summary>Emits the nodes of <paramref name="module"/> applied to <paramref name="value"/>; returns the output value and its shape.</summary>
    public (string Value, long[] Shape) Emit(nn.Module module, string path, string value, long[] shape)
    {
        string name = path.Length == 0 ? module.GetType().Name : path;
        switch (module)
        {
            case Sequential sequential:
                foreach (var (childName, child) in sequential.named_children())
                    (value, shape) = Emit(child, path.Length == 0 ? childName : $"{path}.{childName}", value, shape);
                return (value, shape);
            case Conv2d conv:
                return Conv(conv, name, value, shape);
            case BatchNorm2d bn:
                return BatchNorm(bn, name, value, shape);
            case ReLU:
                return (_writer.Node("Relu", name, [value]), shape);
            case LeakyReLU leaky:
                return (_writer.Node("LeakyRelu", name, [value], OnnxGraphWriter.Float("alpha", (float)leaky.negative_slope)), shape);
            case Sigmoid:
                return (_writer.Node("Sigmoid", name, [value]), shape);
            case Tanh:
                return (_writer.Node("Tanh", name, [value]), shape);
            case MaxPool2d pool:
                return MaxPool(pool, name, value, shape);
            case AvgPool2d pool:
                return AvgPool(pool, name, value, shape);
            case AdaptiveAvgPool2d adaptive when adaptive.output_size.All(s => s == 1):
                RequireRank(shape, 4, name, module);
                return (_writer.Node("GlobalAveragePool", name, [value]), [shape[0], shape[1], 1, 1]);
            case Flatten flatten:
                return FlattenNode(flatten, name, value, shape);
            case Linear linear:
                return LinearNode(linear, name, value, shape);
            case Dropout or Identity:
                return (value, shape);
            default:
                throw Unsupported(module, name, "");
        }
    }

    static NotSupportedException Unsupported(nn.Module module, string name, string detail) =>
        new($"Module '{name}' ({module.GetType().Name}{detail}) cannot be exported to ONNX by DipDefense; supported modules: {string.Join(", ", SupportedModules)}.");

    static void RequireRank(long[] shape, int rank, string name, nn.Module module)
    {
        if (shape.Length != rank)
            throw new ArgumentException($"Module '{name}' ({module.GetType().Name}) needs a rank-{rank} input; the exported activation there has shape [{string.Join(",", shape)}].");
    }

    /// <summary>Output size of a convolution or pool along one dimension (PyTorch's formula, ceil_mode included).</summary>
    static long OutputSize(long input, long kernel, long stride, long pad, long dilation, bool ceil)
    {
        long span = input + 2 * pad - dilation * (kernel - 1) - 1;
        long output = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (output - 1) * stride >= input + pad)
            output--;
        return output;
    }

    (string, long[]) Conv(Conv2d conv, string name, string value, long[] shape)
    {
        RequireRank(shape, 4, name, conv);
        if (conv.padding_mode != PaddingModes.Zeros)
            throw Unsupported(conv, name, $" with padding_mode {conv.padding_mode}");
        long[] kernel = conv.kernel_size, stride = conv.stride, dilation = conv.dilation;
        long[] pad = conv.padding_type switch
        {
            Padding.Valid => [0, 0],
            Padding.Same => [(dilation[0] * (kernel[0] - 1)) / 2, (dilation[1] * (kernel[1] - 1)) / 2],
            _ => conv.padding is { Length: > 0 } p ? Pair(p) : [0, 0],
        };
        var attrs = new List<AttributeProto>
        {
            OnnxGraphWriter.Ints("kernel_shape", kernel),
            OnnxGraphWriter.Ints("strides", stride),
            OnnxGraphWriter.Ints("dilations", dilation),
            OnnxGraphWriter.Int("group", conv.groups),
        };
        long[] outShape;
        if (conv.padding_type == Padding.Same)
        {
            // PyTorch's 'same' puts the odd extra pixel at the end, as SAME_UPPER does (stride 1 only).
            attrs.Add(OnnxGraphWriter.String("auto_pad", "SAME_UPPER"));
            outShape = [shape[0], conv.out_channels, shape[2], shape[3]];
        }
        else
        {
            attrs.Add(OnnxGraphWriter.Ints("pads", [pad[0], pad[1], pad[0], pad[1]]));
            outShape = [shape[0], conv.out_channels,
                OutputSize(shape[2], kernel[0], stride[0], pad[0], dilation[0], false),
                OutputSize(shape[3], kernel[1], stride[1], pad[1], dilation[1], false)];
        }
        var inputs = new List<string> { value, _writer.Initializer($"{name}.weight", conv.weight!) };
        if (conv.bias is { } bias)
            inputs.Add(_writer.Initializer($"{name}.bias", bias));
        return (_writer.Node("Conv", name, inputs, attrs.ToArray()), outShape);
    }

    (string, long[]) BatchNorm(BatchNorm2d bn, string name, string value, long[] shape)
    {
        if (bn.running_mean is null || bn.running_var is null)
            throw Unsupported(bn, name, " without running statistics");
        using var scope = torch.NewDisposeScope();
        var scale = bn.weight is { } w ? (Tensor)w : torch.ones(bn.num_features);
        var shift = bn.bias is { } b ? (Tensor)b : torch.zeros(bn.num_features);
        string[] inputs =
        [
            value,
            _writer.Initializer($"{name}.weight", scale),
            _writer.Initializer($"{name}.bias", shift),
            _writer.Initializer($"{name}.running_mean", bn.running_mean),
            _writer.Initializer($"{name}.running_var", bn.running_var),
        ];
        return (_writer.Node("BatchNormalization", name, inputs, OnnxGraphWriter.Float("epsilon", (float)bn.eps)), shape);
    }

    (string, long[]) MaxPool(MaxPool2d pool, string name, string value, long[] shape)
    {
        RequireRank(shape, 4, name, pool);
        long[] kernel = Pair(pool.kernel_size);
        long[] stride = pool.stride is { Length: > 0 } s ? Pair(s) : kernel;
        long[] pad = pool.padding is { Length: > 0 } p ? Pair(p) : [0, 0];
        long[] dilation = pool.dilation is { Length: > 0 } d ? Pair(d) : [1, 1];
        string output = _writer.Node("MaxPool", name, [value],
            OnnxGraphWriter.Ints("kernel_shape", kernel),
            OnnxGraphWriter.Ints("strides", stride),
            OnnxGraphWriter.Ints("pads", [pad[0], pad[1], pad[0], pad[1]]),
            OnnxGraphWriter.Ints("dilations", dilation),
            OnnxGraphWriter.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
        return (output, [shape[0], shape[1],
            OutputSize(shape[2], kernel[0], stride[0], pad[0], dilation[0], pool.ceil_mode),
            OutputSize(shape[3], kernel[1], stride[1], pad[1], dilation[1], pool.ceil_mode)]);
    }

    (string, long[]) AvgPool(AvgPool2d pool, string name, string value, long[] shape)
    {
        RequireRank(shape, 4, name, pool);
        if (pool.divisor_override is not null)
            throw Unsupported(pool, name, " with divisor_override");
        long[] kernel = Pair(pool.kernel_size);
        long[] stride = pool.stride is { Length: > 0 } s ? Pair(s) : kernel;
        long[] pad = pool.padding is { Length: > 0 } p ? Pair(p) : [0, 0];
        string output = _writer.Node("AveragePool", name, [value],
            OnnxGraphWriter.Ints("kernel_shape", kernel),
            OnnxGraphWriter.Ints("strides", stride),
            OnnxGraphWriter.Ints("pads", [pad[0], pad[1], pad[0], pad[1]]),
            OnnxGraphWriter.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxGraphWriter.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
        return (output, [shape[0], shape[1],
            OutputSize(shape[2], kernel[0], stride[0], pad[0], 1, pool.ceil_mode),
            OutputSize(shape[3], kernel[1], stride[1], pad[1], 1, pool.ceil_mode)]);
    }

    static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;

    (string, long[]) FlattenNode(Flatten flatten, string name, string value, long[] shape)
    {
        long end = flatten.end_dim < 0 ? flatten.end_dim + shape.Length : flatten.end_dim;
        if (flatten.start_dim != 1 || end != shape.Length - 1)
            throw Unsupported(flatten, name, $" with start_dim {flatten.start_dim}, end_dim {flatten.end_dim} (only 1, -1)");
        long features = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        return (_writer.Node("Flatten", name, [value], OnnxGraphWriter.Int("axis", 1)), [shape[0], features]);
    }

    (string, long[]) LinearNode(Linear linear, string name, string value, long[] shape)
    {
        if (shape.Length != 2 || shape[1] != linear.in_features)
            throw new ArgumentException(
                $"Module '{name}' (Linear {linear.in_features}->{linear.out_features}) needs [N,{linear.in_features}]; the exported activation there has shape [{string.Join(",", shape)}].");
        var inputs = new List<string> { value, _writer.Initializer($"{name}.weight", linear.weight) };
        if (linear.bias is { } bias)
            inputs.Add(_writer.Initializer($"{name}.bias", bias));
        string output = _writer.Node("Gemm", name, inputs,
            OnnxGraphWriter.Float("alpha", 1f), OnnxGraphWriter.Float("beta", 1f), OnnxGraphWriter.Int("transB", 1));
        return (output, [shape[0], linear.out_features]);
    }
}
