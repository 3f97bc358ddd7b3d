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
/// It runs as libtorch's grouped convolution (oneDNN on the CPU), which computes each group with the same
/// kernel whatever the number of groups: network b's float32 results are the same bytes for every B ≥ 2
/// (measured forward and backward on the 2-core CPU; docs/performance.md). With one group libtorch takes its
/// ungrouped kernel, whose rounding differs, and Adam's sign-like early steps amplify a 1e-6 difference to about
/// 0.1 within a few iterations; so a single network is run as two groups, the second a detached copy whose output
/// is dropped. That doubles the convolution work of B = 1 and keeps a trace independent of its batch. The grouped
/// kernel is about 1.5× faster at B = 16 than the im2col + batched matrix product it replaced.
/// </para>
/// </remarks>
internal sealed class GroupedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int outChannels;
    private readonly int kernel;
    private readonly int stride;
    private readonly DipPadding padding;

    public GroupedConv2d(string name, int inChannels, int outChannels, int kernel, int stride, DipPadding padding, IReadOnlyList<Generator> generators)
        : base(name)
    {
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;

        int groups = generators.Count;
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

    /// <summary>The number of networks B (it falls when <see cref="DipGenerator.Keep"/> drops some).</summary>
    public int Networks => (int)(weight.shape[0] / outChannels);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        int groups = Networks;
        var padded = SamePadding.ForKernel(input, kernel, padding);
        if (groups > 1)
            return nn.functional.conv2d(padded, weight, bias, strides: [stride], groups: groups).MoveToOuterDisposeScope();

        var twin = cat([padded, padded.detach()], 1);
        var twinWeight = cat([weight, weight.detach()], 0);
        var twinBias = cat([bias, bias.detach()], 0);
        return nn.functional.conv2d(twin, twinWeight, twinBias, strides: [stride], groups: 2)
            .narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator)
    {
        using Scalar width = (2 * bound).ToScalar(), offset = bound.ToScalar();
        return rand(shape, ScalarType.Float32, generator: generator).mul_(width).sub_(offset);
    }
}
