using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx;

/// <summary>
/// Imports an ONNX model as a differentiable TorchSharp module (<see cref="OnnxModule"/>), so that attacks
/// and defenses can take gradients through a model trained elsewhere.
/// </summary>
/// <remarks>
/// Every node is checked at import: an op outside <see cref="SupportedOps"/> fails then, not at run time.
/// Nodes whose inputs are all constants (the shape-computing subgraphs exporters emit) are folded once at
/// import; only the nodes that depend on the input run at each forward.
/// </remarks>
public static class OnnxImporter
{
    /// <summary>The ONNX op types the importer evaluates (default domain, opset 9 to 17 semantics).</summary>
    public static IReadOnlyList<string> SupportedOps => OnnxOpRegistry.SupportedOps;

    /// <summary>Loads the ONNX model at <paramref name="path"/>.</summary>
    /// <param name="path">An .onnx file with one input and one output.</param>
    /// <param name="device">Where the weights go; the CPU when null.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (the message names the file).</exception>
    /// <exception cref="NotSupportedException">The graph uses an op or variant the importer does not support (the message names the op and node).</exception>
    public static OnnxModule Load(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Import(File.ReadAllBytes(path), device, path);
    }

    /// <summary>Imports an ONNX model from its serialized bytes.</summary>
    /// <param name="model">The bytes of an .onnx file.</param>
    /// <param name="device">Where the weights go; the CPU when null.</param>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    /// <exception cref="NotSupportedException">The graph uses an op or variant the importer does not support.</exception>
    public static OnnxModule FromBytes(byte[] model, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Import(model, device, "<in-memory ONNX model>");
    }

    static OnnxModule Import(byte[] bytes, Device? device, string source)
    {
        var model = Parse(bytes, source);
        var plan = OnnxGraphCompiler.Compile(model, source);
        try
        {
            return new OnnxModule(plan, device ?? torch.CPU);
        }
        catch
        {
            foreach (var t in plan.Constants.Values)
                t.Dispose();
            throw;
        }
    }

    static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{source}' is not an ONNX model: {e.Message}", e);
        }
        if (model.Graph is null || model.IrVersion <= 0 || model.OpsetImport.Count == 0)
            throw new InvalidDataException($"'{source}' is not an ONNX model: it has no graph, IR version or operator set import.");
        return model;
    }
}
