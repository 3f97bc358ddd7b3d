using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// One level of the DIP "skip" network for B grouped networks, holding the deeper levels inside it.
/// </summary>
/// <remarks>
/// On [1, B·in, H, W]: skip branch conv(k_s) → BN → LeakyReLU with n_s channels (absent when n_s = 0);
/// down branch conv(k, stride 2) → BN → LeakyReLU → conv(k) → BN → LeakyReLU with n_d channels, the
/// deeper levels, ×2 upsampling; per-network concatenation [skip, down]; BN; conv(k) → BN → LeakyReLU
/// with n_u channels; conv 1×1 → BN → LeakyReLU. Output [1, B·n_u, H, W]. H and W must be even.
/// Sub-modules draw their initial weights in DIP's construction order: skip, down, up, 1×1, then the
/// deeper level.
/// </remarks>
internal sealed class DipLevel : nn.Module<Tensor, Tensor>
{
    private readonly ConvBnAct? skip;
    private readonly ConvBnAct down1;
    private readonly ConvBnAct down2;
    private readonly TrainingBatchNorm concatNorm;
    private readonly ConvBnAct up;
    private readonly ConvBnAct oneByOne;
    private readonly DipLevel? deeper;
    private readonly int inChannels;
    private readonly DipUpsampling upsampling;

    public DipLevel(string name, DipNetworkConfig config, int level, int inChannels, IReadOnlyList<Generator> generators)
        : base(name)
    {
        this.inChannels = inChannels;
        upsampling = config.Upsampling;
        int channels = config.Channels[level], kernel = config.Kernels[level], skipChannels = config.SkipChannels[level];
        bool deepest = level == config.Depth - 1;
        int fromBelow = deepest ? channels : config.Channels[level + 1];

        if (skipChannels > 0)
            skip = new ConvBnAct("skip", inChannels, skipChannels, config.SkipKernel, 1, config, generators);
        down1 = new ConvBnAct("down1", inChannels, channels, kernel, 2, config, generators);
        down2 = new ConvBnAct("down2", channels, channels, kernel, 1, config, generators);
        concatNorm = new TrainingBatchNorm("concat_norm", generators.Count * (skipChannels + fromBelow));
        up = new ConvBnAct("up", skipChannels + fromBelow, channels, kernel, 1, config, generators);
        oneByOne = new ConvBnAct("one_by_one", channels, channels, 1, 1, config, generators);
        if (!deepest)
            deeper = new DipLevel("deeper", config, level + 1, channels, generators);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var down = down2.call(down1.call(input));
        if (deeper is not null)
            down = deeper.call(down);
        var upsampled = nn.functional.interpolate(
            down,
            scale_factor: [2.0, 2.0],
            mode: upsampling == DipUpsampling.Bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest,
            align_corners: upsampling == DipUpsampling.Bilinear ? false : null);
        int groups = (int)(input.shape[1] / inChannels);
        var merged = skip is null ? upsampled : GroupedChannels.Concat(skip.call(input), upsampled, groups);
        return oneByOne.call(up.call(concatNorm.call(merged))).MoveToOuterDisposeScope();
    }
}
