using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx;

/// <summary>
/// Exports the project's small TorchSharp CNNs to ONNX (float32, opset 13, symbolic batch dimension "N").
/// </summary>
/// <remarks>
/// Supported modules: Sequential (nested), Conv2d (zero padding), BatchNorm2d (exported with its running
/// statistics as BatchNormalization), ReLU, LeakyReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d,
/// AdaptiveAvgPool2d(1) (as GlobalAveragePool), Flatten(1, -1), Linear (as Gemm with transB = 1), and
/// Dropout/Identity (omitted). The graph reproduces the module in evaluation mode whatever its current
/// mode. The input is named "input" and the output "output".
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The name of the exported graph's input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the exported graph's output.</summary>
    public const string OutputName = "output";

    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/>.</summary>
    /// <param name="model">A module tree of supported layers.</param>
    /// <param name="inputShape">The input shape including the batch dimension, e.g. [1, 3, 32, 32]; the batch dimension is exported as symbolic "N".</param>
    /// <param name="path">The file to write (overwritten).</param>
    /// <exception cref="NotSupportedException">A module (named by its path in the tree) cannot be exported.</exception>
    public static void Export(nn.Module<Tensor, Tensor> model, long[] inputShape, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var proto = ToModelProto(model, inputShape);
        DipDefense.Data.AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="stream"/>.</summary>
    /// <param name="model">A module tree of supported layers.</param>
    /// <param name="inputShape">The input shape including the batch dimension; the batch dimension is exported as symbolic "N".</param>
    /// <param name="stream">A writable stream; it is not closed.</param>
    /// <exception cref="NotSupportedException">A module cannot be exported.</exception>
    public static void Export(nn.Module<Tensor, Tensor> model, long[] inputShape, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ToModelProto(model, inputShape).WriteTo(stream);
    }

    /// <summary>The ONNX serialization of <paramref name="model"/>.</summary>
    /// <param name="model">A module tree of supported layers.</param>
    /// <param name="inputShape">The input shape including the batch dimension; the batch dimension is exported as symbolic "N".</param>
    /// <exception cref="NotSupportedException">A module cannot be exported.</exception>
    public static byte[] ExportToBytes(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        using var stream = new MemoryStream();
        Export(model, inputShape, stream);
        return stream.ToArray();
    }

    /// <summary>The ONNX model proto of <paramref name="model"/>.</summary>
    /// <param name="model">A module tree of supported layers.</param>
    /// <param name="inputShape">The input shape including the batch dimension; the batch dimension is exported as symbolic "N".</param>
    /// <exception cref="NotSupportedException">A module cannot be exported.</exception>
    public static ModelProto ToModelProto(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length < 2 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"inputShape must hold a batch and at least one more positive dimension, e.g. [1,3,32,32]; got [{string.Join(",", inputShape)}].", nameof(inputShape));
        var writer = new OnnxGraphWriter();
        var (output, outputShape) = new OnnxModuleTranslator(writer).Emit(model, "", InputName, inputShape);
        if (output == InputName)
            output = writer.Node("Identity", "identity", [InputName]);
        writer.RenameLastOutput(output, OutputName);
        return writer.Build(OnnxGraphWriter.Declaration(InputName, inputShape), OnnxGraphWriter.Declaration(OutputName, outputShape));
    }
}
