using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// B independent k×k convolutions (in → out channels each) computed as one grouped convolution on
/// [1, B·in, H, W] → [1, B·out, H', W'], with "same" padding (<see cref="SamePadding"/>) and a bias.
/// </summary>
/// <remarks>
/// Weights are [B·out, in, k, k] and biases [B·out], network-major. Network b's slice is drawn from
/// <c>generators[b]</c> exactly as PyTorch's default <c>Conv2d</c> initialisation would draw it
/// (weights and bias uniform in ±1/√(in·k·k), weight first), so it does not depend on B.
/// </remarks>
internal sealed class GroupedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int groups;
    private readonly int kernel;
    private readonly int stride;
    private readonly DipPadding padding;

    public GroupedConv2d(string name, int inChannels, int outChannels, int kernel, int stride, DipPadding padding, IReadOnlyList<Generator> generators)
        : base(name)
    {
        groups = generators.Count;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;

        double bound = 1.0 / Math.Sqrt((double)inChannels * kernel * kernel);
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var weights = new Tensor[groups];
            var biases = new Tensor[groups];
            for (int b = 0; b < groups; b++)
            {
                weights[b] = Uniform([outChannels, inChannels, kernel, kernel], bound, generators[b]);
                biases[b] = Uniform([outChannels], bound, generators[b]);
            }
            weight = new Parameter(cat(weights, 0).MoveToOuterDisposeScope());
            bias = new Parameter(cat(biases, 0).MoveToOuterDisposeScope());
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var padded = SamePadding.ForKernel(input, kernel, padding);
        return nn.functional.conv2d(padded, weight, bias, strides: [stride, stride], groups: groups).MoveToOuterDisposeScope();
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator) =>
        rand(shape, ScalarType.Float32, generator: generator).mul_(2 * bound).sub_(bound);
}
