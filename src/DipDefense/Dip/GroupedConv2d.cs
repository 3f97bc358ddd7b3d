using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// B independent k×k convolutions (in → out channels each) computed together as one grouped
/// convolution on [1, B·in, H, W] → [1, B·out, H', W'], with "same" padding (<see cref="SamePadding"/>)
/// and a bias.
/// </summary>
/// <remarks>
/// <para>
/// Weights are [B·out, in, k, k] and biases [B·out], network-major (the layout of a
/// <c>Conv2d(groups: B)</c>). Network b's slice is drawn from <c>generators[b]</c> exactly as PyTorch's
/// default <c>Conv2d</c> initialisation would draw it (weights then bias, uniform in ±1/√(in·k·k)), so
/// it does not depend on B.
/// </para>
/// <para>
/// The grouped convolution is evaluated as im2col (<c>unfold</c>) followed by a batched matrix product
/// with one batch entry per network, [B, out, in·k·k] × [B, in·k·k, H'·W'], instead of
/// <c>conv2d(groups: B)</c>. Both are the same mathematical operation, but the library picks different
/// convolution kernels for different group counts, whose float32 rounding differs (about 1e-6); Adam's
/// sign-like early steps amplify such differences to about 0.1 within a few iterations. With one
/// matrix product per network, each network's arithmetic is the same whatever B is, so a batched DIP
/// trace is bit-identical to single-image traces. The cost is about 10% speed on a 2-core CPU and the
/// unfolded input (k² times the input) kept for the backward pass.
/// </para>
/// </remarks>
internal sealed class GroupedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int groups;
    private readonly int inChannels;
    private readonly int outChannels;
    private readonly int kernel;
    private readonly int stride;
    private readonly DipPadding padding;

    public GroupedConv2d(string name, int inChannels, int outChannels, int kernel, int stride, DipPadding padding, IReadOnlyList<Generator> generators)
        : base(name)
    {
        groups = generators.Count;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
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
        long height = (padded.shape[2] - kernel) / stride + 1, width = (padded.shape[3] - kernel) / stride + 1;
        long patch = (long)inChannels * kernel * kernel;
        var columns = kernel == 1 && stride == 1
            ? padded.reshape(groups, patch, height * width)
            : nn.functional.unfold(padded, kernel, stride: stride).reshape(groups, patch, height * width);
        var result = weight.view(groups, outChannels, patch).bmm(columns).add_(bias.view(groups, outChannels, 1));
        return result.reshape(1, (long)groups * outChannels, height, width).MoveToOuterDisposeScope();
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator) =>
        rand(shape, ScalarType.Float32, generator: generator).mul_(2 * bound).sub_(bound);
}
