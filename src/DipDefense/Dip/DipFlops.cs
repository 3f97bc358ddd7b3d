namespace DipDefense.Dip;

/// <summary>
/// Floating-point operations of the DIP generator, counted from its architecture (docs/performance.md): 2·out·in·k²
/// per output pixel of every convolution (multiply and add), on the grid padded to a multiple of 2^depth.
/// BatchNorm, activations, upsampling and Adam are left out (a few percent).
/// </summary>
public static class DipFlops
{
    /// <summary>Operations of one forward pass of one network on a C × H × W image.</summary>
    /// <param name="network">The architecture.</param>
    /// <param name="imageChannels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    public static double Forward(DipNetworkConfig network, int imageChannels, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(network);
        long multiple = 1L << network.Depth;
        long h = (height + multiple - 1) / multiple * multiple, w = (width + multiple - 1) / multiple * multiple;
        return Level(network, 0, network.NoiseChannels, h, w) + Conv(network.Channels[0], imageChannels, 1, h, w);
    }

    /// <summary>
    /// Operations of one Adam iteration of one network: the forward pass and a backward pass of about twice its cost
    /// (gradients with respect to the weights and to each layer's input).
    /// </summary>
    public static double Iteration(DipNetworkConfig network, int imageChannels, long height, long width) =>
        3 * Forward(network, imageChannels, height, width);

    private static double Level(DipNetworkConfig network, int level, int inChannels, long h, long w)
    {
        int channels = network.Channels[level], kernel = network.Kernels[level], skip = network.SkipChannels[level];
        long hh = (h + 1) / 2, hw = (w + 1) / 2;
        bool deepest = level == network.Depth - 1;
        int fromBelow = deepest ? channels : network.Channels[level + 1];
        double flops = Conv(inChannels, skip, network.SkipKernel, h, w)
            + Conv(inChannels, channels, kernel, hh, hw)
            + Conv(channels, channels, kernel, hh, hw)
            + Conv(skip + fromBelow, channels, kernel, h, w)
            + Conv(channels, channels, 1, h, w);
        return deepest ? flops : flops + Level(network, level + 1, channels, hh, hw);
    }

    private static double Conv(int inChannels, int outChannels, int kernel, long h, long w) =>
        2.0 * outChannels * inChannels * kernel * kernel * h * w;
}
