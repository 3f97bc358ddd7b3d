using Onnx;

namespace DipDefense.Onnx;

/// <summary>Typed, defaulted access to the attributes of one ONNX node.</summary>
internal sealed class OnnxAttributes
{
    readonly Dictionary<string, AttributeProto> _byName;

    public OnnxAttributes(NodeProto node)
    {
        _byName = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var a in node.Attribute)
            _byName[a.Name] = a;
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) => _byName.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => _byName.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) =>
        _byName.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => _byName.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => _byName.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) => _byName.TryGetValue(name, out var a) ? a.T : null;

    public AttributeProto? Raw(string name) => _byName.TryGetValue(name, out var a) ? a : null;
}
