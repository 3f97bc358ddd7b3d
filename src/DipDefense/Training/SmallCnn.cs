using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Training;

/// <summary>
/// A small image classifier that <see cref="Onnx.OnnxExporter"/> can export: conv(3×3, padding 1) → ReLU →
/// max-pool(2) → conv(3×3, padding 1) → ReLU → max-pool(2) → flatten → linear. It maps images
/// <c>[N, C, H, W]</c> in [0, 1] to logits <c>[N, K]</c>.
/// </summary>
/// <remarks>
/// The module names ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc") are the parameter
/// keys. Weights and biases are drawn as PyTorch's default Conv2d/Linear initialisation draws them (uniform in
/// ±1/√fan_in), but from the given <see cref="Generator"/> instead of the global one, so that a seed fixes
/// them without touching global random state.
/// </remarks>
public static class SmallCnn
{
    /// <summary>The smallest image side: the two 2×2 poolings need at least 4 pixels.</summary>
    public const int MinSide = 4;

    /// <summary>Builds the network on the CPU, drawing its initial weights from <paramref name="generator"/>.</summary>
    /// <param name="channels">Image channels C (1 for grey, 3 for RGB).</param>
    /// <param name="height">Image height H (at least <see cref="MinSide"/>).</param>
    /// <param name="width">Image width W (at least <see cref="MinSide"/>).</param>
    /// <param name="classes">Number of classes K (at least 2).</param>
    /// <param name="config">The widths; null uses the defaults of <see cref="SmallCnnConfig"/>.</param>
    /// <param name="generator">A CPU random generator; it advances.</param>
    /// <returns>The network in training mode; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    public static Sequential Create(int channels, int height, int width, int classes, SmallCnnConfig? config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        config ??= new SmallCnnConfig();
        config.Validate(nameof(config));
        if (channels <= 0)
            throw new ArgumentException($"channels must be positive; got {channels}.", nameof(channels));
        if (height < MinSide || width < MinSide)
            throw new ArgumentException($"images must be at least {MinSide}×{MinSide} pixels (two 2×2 poolings); got {height}×{width}.", nameof(height));
        if (classes < 2)
            throw new ArgumentException($"classes must be at least 2; got {classes}.", nameof(classes));

        long features = (long)config.Conv2Channels * (height / 4) * (width / 4);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(channels, config.Conv1Channels, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(config.Conv1Channels, config.Conv2Channels, 3, padding: 1)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(features, classes)));
        Initialize(net, generator);
        return net;
    }

    /// <summary>Redraws every weight and bias uniform in ±1/√fan_in, in module order, from <paramref name="generator"/>.</summary>
    static void Initialize(Sequential net, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in net.named_children())
        {
            var (weight, bias) = module switch
            {
                Conv2d conv => (conv.weight!, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => ((Tensor?)null, (Tensor?)null),
            };
            if (weight is null)
                continue;
            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1.0 / Math.Sqrt(fanIn);
            FillUniform(weight, bound, generator);
            if (bias is not null)
                FillUniform(bias, bound, generator);
        }
    }

    static void FillUniform(Tensor parameter, double bound, Generator generator)
    {
        using var values = rand(parameter.shape, ScalarType.Float32, generator: generator).mul_(2 * bound).sub_(bound);
        parameter.copy_(values);
    }
}
