using DipDefense.Onnx;
using DipDefense.Victims;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Training;

/// <summary>
/// A network trained by <see cref="VictimTrainer"/>, with its training record. It is an <see cref="IClassifier"/>
/// (TorchSharp, no gradient) and exports to ONNX for <see cref="OnnxClassifier"/>. Owns <see cref="Model"/>.
/// </summary>
public sealed class TrainedClassifier : IClassifier, IDisposable
{
    long queryCount;

    internal TrainedClassifier(Sequential model, int channels, int height, int width, IReadOnlyList<string> classNames, Device device)
    {
        Model = model;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
        Device = device;
        ParameterCount = model.parameters().Sum(p => p.numel());
    }

    /// <summary>The network (<see cref="SmallCnn"/>) on <see cref="Device"/>; images <c>[N, C, H, W]</c> in [0, 1] to logits <c>[N, K]</c>.</summary>
    public Sequential Model { get; }

    /// <summary>Image channels C the network takes.</summary>
    public int Channels { get; }

    /// <summary>Image height H the network takes.</summary>
    public int Height { get; }

    /// <summary>Image width W the network takes.</summary>
    public int Width { get; }

    /// <summary>The class names of the training set, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The device the network is on.</summary>
    public Device Device { get; }

    /// <summary>Number of trainable values (weights and biases).</summary>
    public long ParameterCount { get; }

    /// <summary>One summary per epoch, in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; internal set; } = [];

    /// <summary>Duration of the training loop (validation included, network construction excluded).</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <inheritdoc />
    public int NumClasses => ClassNames.Count;

    /// <inheritdoc />
    public long QueryCount => Interlocked.Read(ref queryCount);

    /// <inheritdoc />
    public void ResetQueryCount() => Interlocked.Exchange(ref queryCount, 0);

    /// <summary>Logits float32 <c>[N, K]</c> for images <c>[N, C, H, W]</c> in [0, 1], on the images' device (evaluation mode, no gradient).</summary>
    /// <exception cref="ArgumentException">The images are not float32 <c>[N, C, H, W]</c> of this network's C, H and W.</exception>
    public Tensor Logits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dtype != ScalarType.Float32 || images.dim() != 4
            || images.shape[1] != Channels || images.shape[2] != Height || images.shape[3] != Width)
            throw new ArgumentException(
                $"images must be a float32 tensor [N, {Channels}, {Height}, {Width}]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        Interlocked.Add(ref queryCount, images.shape[0]);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Model.eval();
        return Model.call(images.to(Device)).to(images.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Predict(Tensor images)
    {
        using var logits = Logits(images);
        return logits.argmax(1);
    }

    /// <summary>Writes the network as ONNX (input "input" <c>[N, C, H, W]</c>, output "output" <c>[N, K]</c>, symbolic N) with <see cref="OnnxExporter"/>.</summary>
    /// <param name="path">The file to write (overwritten).</param>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxExporter.Export(Model, [1, Channels, Height, Width], path);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
