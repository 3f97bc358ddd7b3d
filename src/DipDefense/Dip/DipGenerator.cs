using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// B independent DIP "skip" generators (Ulyanov et al. 2018) computed together: g_b maps noise z_b
/// [C_z, H, W] to an image [C, H, W] in (0, 1). B = 1 is the single-image case.
/// </summary>
/// <remarks>
/// <para>
/// The B networks are laid out as one network on [1, B·c, H, W]: every convolution is a grouped
/// convolution (weights [B·out, in, k, k], groups = B), every BatchNorm normalises B·c channels of a
/// batch of one (each network's own BatchNorm in training mode, statistics over H × W), and the skip
/// concatenation is done per network. Nothing mixes networks, so the gradient of a sum of per-network
/// losses with respect to network b's parameters equals b's standalone gradient. The grouped
/// convolutions run as one matrix product per network (im2col), so each network's float32 arithmetic
/// does not depend on B: B networks give bit-identical results to B single ones.
/// </para>
/// <para>
/// Network b is initialised from its own <see cref="Generator"/>, in a fixed construction order that
/// does not depend on B (PyTorch's default Conv2d initialisation, BatchNorm weight 1 and bias 0), so B
/// networks built from seeds s_1..s_B equal B separately built networks with those seeds.
/// Parameters are created on the CPU; move the module with <c>to(device)</c>. Constructing one applies the process-wide
/// settings a trace applies (NNPACK and oneDNN off, docs/platform.md#onednn; glibc keeping freed memory,
/// docs/performance.md#memory).
/// </para>
/// <para>
/// The generator is meant to run in training mode (the DIP convention; the default of a new module):
/// in evaluation mode BatchNorm would use running statistics instead of each image's own.
/// Any H × W is accepted: sides that are not multiples of 2^<see cref="DipNetworkConfig.Depth"/> are
/// reflect-padded up to the next multiple (the extra split as evenly as possible, the larger half
/// after) and the output is cropped back.
/// </para>
/// </remarks>
public sealed class DipGenerator : nn.Module<Tensor, Tensor>
{
    private readonly DipLevel levels;
    private readonly PerNetworkConv2d output;

    /// <summary>Builds B = <paramref name="seeds"/>.Count networks, network b initialised from seed <paramref name="seeds"/>[b].</summary>
    /// <param name="config">The architecture; validated.</param>
    /// <param name="imageChannels">Output image channels C (e.g. 3 for RGB, 1 for grey).</param>
    /// <param name="seeds">One seed per network (at least one).</param>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public DipGenerator(DipNetworkConfig config, int imageChannels, IReadOnlyList<long> seeds)
        : this(config, imageChannels, CreateGenerators(seeds), ownsGenerators: true)
    {
    }

    /// <summary>
    /// Builds B = <paramref name="generators"/>.Count networks, network b drawing its initial weights from
    /// <paramref name="generators"/>[b] (CPU generators; they advance).
    /// </summary>
    /// <param name="config">The architecture; validated.</param>
    /// <param name="imageChannels">Output image channels C (e.g. 3 for RGB, 1 for grey).</param>
    /// <param name="generators">One CPU random generator per network (at least one).</param>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public DipGenerator(DipNetworkConfig config, int imageChannels, IReadOnlyList<Generator> generators)
        : this(config, imageChannels, generators, ownsGenerators: false)
    {
    }

    private DipGenerator(DipNetworkConfig config, int imageChannels, IReadOnlyList<Generator> generators, bool ownsGenerators)
        : base(nameof(DipGenerator))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(generators);
        config.Validate(nameof(config));
        if (imageChannels <= 0)
            throw new ArgumentException($"imageChannels must be positive; got {imageChannels}.", nameof(imageChannels));
        if (generators.Count == 0 || generators.Any(g => g is null))
            throw new ArgumentException("generators must hold one non-null generator per network (at least one).", nameof(generators));

        // A generator used on its own (not through DipTraceRunner) must not meet oneDNN's wrong float32 convolutions either.
        LibTorchProcess.Prepare();
        Config = config;
        ImageChannels = imageChannels;
        levels = new DipLevel("levels", config, 0, config.NoiseChannels, generators);
        output = new PerNetworkConv2d("output", config.Channels[0], imageChannels, 1, 1, config.Padding, generators);
        RegisterComponents();
        if (ownsGenerators)
            foreach (var generator in generators)
                generator.Dispose();
    }

    /// <summary>The architecture.</summary>
    public DipNetworkConfig Config { get; }

    /// <summary>Image channels C of the output.</summary>
    public int ImageChannels { get; }

    /// <summary>Number of independent networks B (it falls when <see cref="Keep"/> drops some).</summary>
    public int NetworkCount => output.Networks;

    /// <summary>
    /// Keeps only the networks <paramref name="networks"/> (ascending indices among the current ones), in that order:
    /// every parameter's rows of the other networks are dropped, so the kept networks compute exactly what they computed
    /// before (each network's arithmetic does not depend on B; see <see cref="PerNetworkConv2d"/>). Gradients are cleared.
    /// Used by <see cref="DipTraceRunner"/> to stop finished traces early.
    /// </summary>
    /// <param name="networks">The networks to keep, ascending, at least one.</param>
    /// <returns>For each parameter of <c>parameters()</c>, in order, the row indices kept (to apply to optimiser state).</returns>
    internal Tensor[] Keep(IReadOnlyList<int> networks)
    {
        int before = NetworkCount;
        using var noGrad = no_grad();
        var rows = new List<Tensor>();
        foreach (var parameter in parameters())
        {
            var index = KeptRows(networks, before, parameter.shape[0] / before);
            parameter.set_(parameter.index_select(0, index));
            parameter.grad = null;
            rows.Add(index);
        }
        return [.. rows];
    }

    /// <summary>
    /// Appends the networks of <paramref name="other"/> (the same architecture, on the same device) after the current ones:
    /// every parameter becomes its rows followed by <paramref name="other"/>'s, so each network computes what it computed
    /// before, wherever it sits. Gradients are cleared. Used by <see cref="DipTraceRunner"/> to refill a batch.
    /// </summary>
    internal void Add(DipGenerator other)
    {
        var mine = parameters().ToArray();
        var theirs = other.parameters().ToArray();
        if (mine.Length != theirs.Length || mine.Zip(theirs).Any(p => !p.First.shape.Skip(1).SequenceEqual(p.Second.shape.Skip(1))
                || p.First.shape[0] / NetworkCount != p.Second.shape[0] / other.NetworkCount))
            throw new ArgumentException("other must have the same architecture and image channels.", nameof(other));
        using var noGrad = no_grad();
        foreach (var (parameter, added) in mine.Zip(theirs))
        {
            using var joined = cat([parameter, added], 0);   // the parameter keeps the storage; the handle is released here
            parameter.set_(joined);
            parameter.grad = null;
        }
    }

    /// <summary>The rows [b·k, (b + 1)·k) of each kept network b, for a network-major tensor with k rows per network.</summary>
    internal static Tensor KeptRows(IReadOnlyList<int> networks, int before, long rowsPerNetwork)
    {
        if (networks.Count == 0 || networks.Any(b => b < 0 || b >= before) || networks.Zip(networks.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"networks must be ascending indices in [0, {before}), at least one; got [{string.Join(", ", networks)}].", nameof(networks));
        return tensor(networks.SelectMany(b => Enumerable.Range(0, (int)rowsPerNetwork).Select(r => b * rowsPerNetwork + r)).ToArray());
    }

    /// <summary>Maps noise [B, <see cref="DipNetworkConfig.NoiseChannels"/>, H, W] to images [B, C, H, W] in (0, 1); image b comes from network b.</summary>
    /// <exception cref="ArgumentException">The input does not have that shape.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[0] != NetworkCount || input.shape[1] != Config.NoiseChannels || !input.is_floating_point())
            throw new ArgumentException(
                $"input must be a floating-point noise tensor [{NetworkCount}, {Config.NoiseChannels}, H, W]; got {input.dtype} [{string.Join(", ", input.shape)}].",
                nameof(input));

        using var scope = NewDisposeScope();
        long height = input.shape[2], width = input.shape[3];
        long multiple = 1L << Config.Depth;
        long padH = (multiple - height % multiple) % multiple, padW = (multiple - width % multiple) % multiple;
        var grid = SamePadding.Pad(input, padW / 2, padW - padW / 2, padH / 2, padH - padH / 2, DipPadding.Reflection);

        var grouped = grid.reshape(1, NetworkCount * Config.NoiseChannels, grid.shape[2], grid.shape[3]);
        var image = sigmoid(output.call(levels.call(grouped)))
            .reshape(NetworkCount, ImageChannels, grid.shape[2], grid.shape[3])
            .narrow(2, padH / 2, height)
            .narrow(3, padW / 2, width);
        return image.MoveToOuterDisposeScope();
    }

    private static Generator[] CreateGenerators(IReadOnlyList<long> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
            throw new ArgumentException("seeds must hold one seed per network (at least one).", nameof(seeds));
        return seeds.Select(DipRandom.CreateGenerator).ToArray();
    }
}
