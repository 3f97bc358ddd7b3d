using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// The DIP building block for B grouped networks: convolution → BatchNorm → LeakyReLU on [1, B·c, H, W].
/// </summary>
/// <remarks>
/// BatchNorm2d over B·out channels of a batch of one normalises each channel over H × W, which is
/// exactly each network's own BatchNorm on its single image in training mode.
/// </remarks>
internal sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    private readonly GroupedConv2d conv;
    private readonly BatchNorm2d bn;
    private readonly double slope;

    public ConvBnAct(string name, int inChannels, int outChannels, int kernel, int stride, DipNetworkConfig config, IReadOnlyList<Generator> generators)
        : base(name)
    {
        conv = new GroupedConv2d("conv", inChannels, outChannels, kernel, stride, config.Padding, generators);
        bn = nn.BatchNorm2d(generators.Count * outChannels);
        slope = config.LeakySlope;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = bn.call(conv.call(input));
        return nn.functional.leaky_relu(y, slope, inplace: true).MoveToOuterDisposeScope();
    }
}
