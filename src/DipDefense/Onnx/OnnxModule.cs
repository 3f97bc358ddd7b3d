using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Onnx;

/// <summary>
/// A single-input, single-output ONNX graph evaluated with TorchSharp ops, so that it is differentiable
/// with respect to its input. Created by <see cref="OnnxImporter"/>.
/// </summary>
/// <remarks>
/// Floating-point constants (initializers and results folded at import) are buffers with
/// <c>requires_grad = false</c>, on the device given at import (they follow <c>module.to(device)</c>);
/// integer constants (shapes, axes, pads) stay on the CPU. <see cref="nn.Module{T, TResult}.forward"/>
/// evaluates only the nodes that depend on the input, in topological order.
/// </remarks>
public sealed partial class OnnxModule : nn.Module<Tensor, Tensor>
{
    readonly OnnxGraphPlan _plan;
    readonly Dictionary<string, string> _onnxNameOfBuffer = new(StringComparer.Ordinal);
    readonly Dictionary<string, Tensor> _cpuConstants = new(StringComparer.Ordinal);

    internal OnnxModule(OnnxGraphPlan plan, Device device) : base(nameof(OnnxModule))
    {
        _plan = plan;
        int index = 0;
        foreach (var (name, value) in plan.Constants)
        {
            if (!OnnxTensorConversion.IsFloating(value.dtype))
            {
                _cpuConstants[name] = value;
                continue;
            }
            var moved = value.to(device);
            if (!ReferenceEquals(moved, value))
                value.Dispose();
            string bufferName = $"c{index++}_{UnsafeChars().Replace(name, "_")}";
            _onnxNameOfBuffer[bufferName] = name;
            register_buffer(bufferName, moved.DetachFromDisposeScope().requires_grad_(false));
        }
        plan.Constants.Clear();
    }

    /// <summary>The name of the graph's input.</summary>
    public string InputName => _plan.InputName;

    /// <summary>The name of the graph's output.</summary>
    public string OutputName => _plan.OutputName;

    /// <summary>The declared input shape; -1 marks a symbolic dimension (such as the batch); empty when the graph declares none.</summary>
    public IReadOnlyList<long> InputShape => _plan.InputShape;

    /// <summary>The declared output shape; -1 marks a symbolic dimension; empty when the graph declares none.</summary>
    public IReadOnlyList<long> OutputShape => _plan.OutputShape;

    /// <summary>The version of the default ONNX operator set the model imports.</summary>
    public int OpsetVersion => _plan.Opset;

    /// <summary>The number of nodes evaluated at each forward (those that depend on the input).</summary>
    public int RuntimeNodeCount => _plan.Steps.Count;

    /// <summary>The number of nodes folded into constants at import.</summary>
    public int FoldedNodeCount => _plan.FoldedNodeCount;

    /// <summary>The op types evaluated at each forward, in evaluation order.</summary>
    public IReadOnlyList<string> RuntimeOps => _plan.Steps.Select(s => s.Node.OpType).ToArray();

    /// <summary>Evaluates the graph on <paramref name="input"/> (converted to the declared element type).</summary>
    /// <exception cref="ArgumentException">The input's rank or a static non-batch dimension differs from the declared shape, or it is on another device than the weights.</exception>
    public override Tensor forward(Tensor input)
    {
        ValidateInput(input);
        var values = new Dictionary<string, Tensor>(_cpuConstants, StringComparer.Ordinal);
        foreach (var (bufferName, buffer) in named_buffers(recurse: false))
        {
            if (!OnnxTensorConversion.SameDevice(buffer, input))
                throw new ArgumentException($"OnnxModule's weights are on {buffer.device} but the input is on {input.device}; move one of them.", nameof(input));
            values[_onnxNameOfBuffer[bufferName]] = buffer;
        }
        var constants = values.Values.ToHashSet(ReferenceEqualityComparer.Instance);

        using var scope = torch.NewDisposeScope();
        var x = input.dtype == _plan.InputType ? input : input.to_type(_plan.InputType);
        values[_plan.InputName] = x;
        foreach (var step in _plan.Steps)
        {
            var node = step.Node;
            var args = node.Input.Select(n => n.Length == 0 ? null : values[n]).ToArray();
            var outputs = step.Kernel(new OnnxNodeContext(node, step.Attributes, _plan.Opset, args));
            for (int i = 0; i < outputs.Length && i < node.Output.Count; i++)
                if (node.Output[i].Length > 0)
                    values[node.Output[i]] = outputs[i];
        }
        var result = values[_plan.OutputName];
        if (ReferenceEquals(result, input) || constants.Contains(result))
            result = result.alias();
        return result.MoveToOuterDisposeScope();
    }

    void ValidateInput(Tensor input)
    {
        var shape = _plan.InputShape;
        if (shape.Length == 0)
            return;
        bool ok = input.dim() == shape.Length;
        for (int i = 1; ok && i < shape.Length; i++)
            ok = shape[i] < 0 || shape[i] == input.shape[i];
        if (!ok)
        {
            string expected = string.Join(",", shape.Select((d, i) => d >= 0 ? d.ToString() : i == 0 ? "N" : "?"));
            throw new ArgumentException(
                $"OnnxModule input '{_plan.InputName}' expects a rank-{shape.Length} tensor of shape [{expected}] " +
                $"(N: any batch size{(shape.Length > 1 && shape[1] >= 0 ? $", {shape[1]} channels" : "")}); got [{string.Join(",", input.shape)}].",
                nameof(input));
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _cpuConstants.Values)
                t.Dispose();
            _cpuConstants.Clear();
            foreach (var (_, buffer) in named_buffers(recurse: false))
                buffer.Dispose();
        }
        base.Dispose(disposing);
    }

    [GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial Regex UnsafeChars();
}
