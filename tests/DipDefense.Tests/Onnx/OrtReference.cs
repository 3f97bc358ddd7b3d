using Microsoft.ML.OnnxRuntime;

namespace DipDefense.Tests.Onnx;

/// <summary>Runs a model with ONNX Runtime, the reference the importer and exporter are checked against.</summary>
internal sealed class OrtReference : IDisposable
{
    readonly InferenceSession _session;

    public OrtReference(byte[] model) => _session = new InferenceSession(model);

    public OrtReference(string path) => _session = new InferenceSession(path);

    public string InputName => _session.InputNames[0];

    /// <summary>The first output for a float input of the given shape.</summary>
    public (float[] Data, long[] Shape) Run(float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var outputs = _session.Run(options, [_session.InputNames[0]], [value], [_session.OutputNames[0]]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>The first output for a CPU float tensor, as a tensor.</summary>
    public Tensor Run(Tensor input)
    {
        using var cpu = input.detach().cpu().contiguous();
        var (data, shape) = Run(cpu.data<float>().ToArray(), cpu.shape);
        return torch.tensor(data, shape);
    }

    public void Dispose() => _session.Dispose();
}
