using TorchSharp;
using static TorchSharp.torch;
using Onnx;

namespace DipDefense.Onnx;

/// <summary>
/// Turns an ONNX model into an <see cref="OnnxGraphPlan"/>: checks every op is supported, sorts the nodes
/// topologically, drops nodes the output does not need, and folds every node whose inputs are all
/// constants (initializers, Constant nodes, earlier folded results, or Shape of a statically known shape).
/// </summary>
internal static class OnnxGraphCompiler
{
    public static OnnxGraphPlan Compile(ModelProto model, string source)
    {
        var graph = model.Graph;
        int opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version
            ?? throw new InvalidDataException($"'{source}' imports no version of the default ONNX operator set."));
        foreach (var node in graph.Node)
            OnnxOpRegistry.Validate(node);

        var initializerNames = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1 || graph.Output.Count != 1)
            throw new NotSupportedException(
                $"'{source}' has {inputs.Count} input(s) ({string.Join(", ", inputs.Select(i => i.Name))}) and {graph.Output.Count} output(s); " +
                "DipDefense's importer supports graphs with exactly one input and one output.");
        var input = inputs[0];
        string outputName = graph.Output[0].Name;

        var constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var init in graph.Initializer)
                constants[init.Name] = OnnxTensorConversion.ToTorch(init).DetachFromDisposeScope();

            var staticShapes = StaticShapes(graph);
            var order = Needed(TopologicalOrder(graph.Node, initializerNames, input.Name, source), outputName);
            var steps = new List<OnnxStep>();
            int folded = 0;
            foreach (var node in order)
            {
                var attrs = new OnnxAttributes(node);
                var kernel = OnnxOpRegistry.Kernel(node.OpType);
                var names = node.Input.Where(n => n.Length > 0).ToList();
                if (node.OpType == "Shape" && !constants.ContainsKey(node.Input[0]) && staticShapes.TryGetValue(node.Input[0], out var known))
                {
                    using var placeholder = torch.empty(known);
                    Fold(node, attrs, kernel, opset, [placeholder], constants);
                    folded++;
                }
                else if (names.All(constants.ContainsKey))
                {
                    Fold(node, attrs, kernel, opset, node.Input.Select(n => n.Length == 0 ? null : constants[n]).ToArray(), constants);
                    folded++;
                }
                else
                    steps.Add(new OnnxStep(node, attrs, kernel));
            }

            // Keep only the constants that run-time nodes or the output read.
            var used = steps.SelectMany(s => s.Node.Input).Append(outputName).ToHashSet(StringComparer.Ordinal);
            foreach (var name in constants.Keys.Where(n => !used.Contains(n)).ToList())
            {
                constants[name].Dispose();
                constants.Remove(name);
            }

            return new OnnxGraphPlan
            {
                InputName = input.Name,
                InputShape = DeclaredShape(input),
                InputType = input.Type?.TensorType is { ElemType: > 0 } t ? OnnxTensorConversion.ToScalarType(t.ElemType) : ScalarType.Float32,
                OutputName = outputName,
                OutputShape = DeclaredShape(graph.Output[0]),
                Opset = opset,
                Constants = constants,
                Steps = steps,
                FoldedNodeCount = folded,
            };
        }
        catch
        {
            foreach (var t in constants.Values)
                t.Dispose();
            throw;
        }
    }

    static void Fold(NodeProto node, OnnxAttributes attrs, OnnxKernel kernel, int opset, Tensor?[] inputs, Dictionary<string, Tensor> constants)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Tensor[] outputs;
        try
        {
            outputs = kernel(new OnnxNodeContext(node, attrs, opset, inputs));
        }
        catch (Exception e) when (e is not NotSupportedException and not InvalidDataException)
        {
            throw new InvalidDataException($"Folding the constant ONNX node '{node.Name}' ({node.OpType}) at import failed: {e.Message}", e);
        }
        for (int i = 0; i < outputs.Length && i < node.Output.Count; i++)
        {
            if (node.Output[i].Length == 0) continue;
            var value = inputs.Any(x => ReferenceEquals(x, outputs[i])) ? outputs[i].alias() : outputs[i];
            constants[node.Output[i]] = value.DetachFromDisposeScope();
        }
    }

    /// <summary>Nodes in an order where every input is produced before use (the file's order when it already is).</summary>
    static List<NodeProto> TopologicalOrder(IList<NodeProto> nodes, HashSet<string> initializers, string inputName, string source)
    {
        var available = new HashSet<string>(initializers, StringComparer.Ordinal) { inputName, "" };
        var pending = nodes.ToList();
        var order = new List<NodeProto>(pending.Count);
        while (pending.Count > 0)
        {
            int before = pending.Count;
            for (int i = 0; i < pending.Count;)
            {
                if (pending[i].Input.All(available.Contains))
                {
                    order.Add(pending[i]);
                    foreach (var o in pending[i].Output) available.Add(o);
                    pending.RemoveAt(i);
                }
                else i++;
            }
            if (pending.Count == before)
            {
                var missing = pending.SelectMany(n => n.Input).First(n => !available.Contains(n));
                throw new InvalidDataException($"'{source}' has a cycle or reads an undefined value '{missing}' (node '{pending[0].Name}').");
            }
        }
        return order;
    }

    /// <summary>The nodes the output depends on, keeping the order.</summary>
    static List<NodeProto> Needed(List<NodeProto> order, string outputName)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { outputName };
        var keep = new bool[order.Count];
        for (int i = order.Count - 1; i >= 0; i--)
        {
            if (!order[i].Output.Any(needed.Contains)) continue;
            keep[i] = true;
            foreach (var n in order[i].Input) needed.Add(n);
        }
        return order.Where((_, i) => keep[i]).ToList();
    }

    static Dictionary<string, long[]> StaticShapes(GraphProto graph)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var info in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            var shape = DeclaredShape(info);
            if (info.Type?.TensorType?.Shape is not null && shape.All(d => d >= 0))
                shapes[info.Name] = shape;
        }
        return shapes;
    }

    static long[] DeclaredShape(ValueInfoProto info) =>
        info.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1L).ToArray() ?? [];
}
