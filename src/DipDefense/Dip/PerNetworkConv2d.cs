using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// B independent k×k convolutions (in → out channels each) of the B networks of a worker, on
/// [1, B·in, H, W] → [1, B·out, H', W'], with "same" padding (<see cref="SamePadding"/>) and a bias.
/// </summary>
/// <remarks>
/// <para>
/// Weights are [B·out, in, k, k] and biases [B·out], network-major (the layout of a
/// <c>Conv2d(groups: B)</c>). Network b's slice is drawn from <c>generators[b]</c> exactly as PyTorch's
/// default <c>Conv2d</c> initialisation would draw it (weights then bias, uniform in ±1/√(in·k·k)), so
/// it does not depend on B.
/// </para>
/// <para>
/// Each network's convolution is its own ungrouped libtorch convolution on its slice of the channels, so a
/// network's results are the bytes of the same network alone, whatever B is (Adam's sign-like early steps
/// amplify a 1e-6 rounding difference to about 0.1 within a few iterations, so anything less would make a trace
/// depend on its batch). One grouped convolution over B groups was used before; libtorch's ungrouped kernel
/// rounds differently from its grouped one, so a single network then had to run as two groups (a detached twin),
/// which doubled its cost. Measured on the 2-core machine (docs/performance.md): a single network 7–8 ms per
/// iteration instead of 13–18, and B = 16 the same within the machine's noise.
/// </para>
/// </remarks>
internal sealed class PerNetworkConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int outChannels;
    private readonly int kernel;
    private readonly int stride;
    private readonly DipPadding padding;

    public PerNetworkConv2d(string name, int inChannels, int outChannels, int kernel, int stride, DipPadding padding, IReadOnlyList<Generator> generators)
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
        int networks = Networks;
        var padded = SamePadding.ForKernel(input, kernel, padding);
        // One network: the same call on the whole tensors, without the split and the copy of cat.
        if (networks == 1)
            return nn.functional.conv2d(padded, weight, bias, strides: [stride]).MoveToOuterDisposeScope();
        var inputs = padded.split(padded.shape[1] / networks, 1);
        var weights = weight.split(outChannels, 0);
        var biases = bias.split(outChannels, 0);
        var outputs = new Tensor[networks];
        for (int b = 0; b < networks; b++)
            outputs[b] = nn.functional.conv2d(inputs[b], weights[b], biases[b], strides: [stride]);
        return cat(outputs, 1).MoveToOuterDisposeScope();
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator)
    {
        using Scalar width = (2 * bound).ToScalar(), offset = bound.ToScalar();
        return rand(shape, ScalarType.Float32, generator: generator).mul_(width).sub_(offset);
    }
}
