using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// The DIP building block for B grouped networks: convolution → BatchNorm → LeakyReLU on [1, B·c, H, W].
/// </summary>
/// <remarks>
/// BatchNorm over B·out channels of a batch of one normalises each channel over H × W, which is
/// exactly each network's own BatchNorm on its single image in training mode (<see cref="TrainingBatchNorm"/>).
/// The LeakyReLU slope is one <see cref="Scalar"/> held for the module's life (see <see cref="TrainingBatchNorm"/> on
/// temporary scalars).
/// </remarks>
internal sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    private readonly PerNetworkConv2d conv;
    private readonly TrainingBatchNorm bn;
    private readonly Scalar slope;

    public ConvBnAct(string name, int inChannels, int outChannels, int kernel, int stride, DipNetworkConfig config, IReadOnlyList<Generator> generators)
        : base(name)
    {
        conv = new PerNetworkConv2d("conv", inChannels, outChannels, kernel, stride, config.Padding, generators);
        bn = new TrainingBatchNorm("bn", generators.Count * outChannels);
        slope = config.LeakySlope.ToScalar();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = bn.call(conv.call(input));
        return y.leaky_relu_(slope).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            slope.Dispose();
        base.Dispose(disposing);
    }
}
