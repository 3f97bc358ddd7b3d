namespace DipDefense.Dip;

/// <summary>
/// The architecture of the DIP "skip" generator (Ulyanov et al. 2018; Appendix B of Ding et al. 2021):
/// per level the channels of the down and up branches (n_d = n_u), their kernel size, the skip
/// channels and one skip kernel size, plus the input noise and activation settings.
/// </summary>
/// <remarks>
/// The four presets <see cref="Small"/>, <see cref="Medium"/>, <see cref="Large"/> and <see cref="ImageNet"/>
/// are the table of docs/method.md. Level 0 is the outermost (full-resolution) level; a network with
/// <see cref="Depth"/> levels halves the resolution <see cref="Depth"/> times, so images whose sides
/// are not multiples of 2^<see cref="Depth"/> are reflect-padded by the generator and cropped back.
/// Equality compares the lists element by element.
/// </remarks>
public sealed record DipNetworkConfig
{
    /// <summary>Channels per level of the down and up branches (n_d = n_u), outermost first. Default [32, 32, 32].</summary>
    public IReadOnlyList<int> Channels { get; init; } = [32, 32, 32];

    /// <summary>Kernel size per level of the down and up convolutions, outermost first. Default [3, 3, 3].</summary>
    public IReadOnlyList<int> Kernels { get; init; } = [3, 3, 3];

    /// <summary>Skip-branch channels per level (0 omits that level's skip branch), outermost first. Default [3, 3, 3].</summary>
    public IReadOnlyList<int> SkipChannels { get; init; } = [3, 3, 3];

    /// <summary>Kernel size of every skip-branch convolution. Default 1.</summary>
    public int SkipKernel { get; init; } = 1;

    /// <summary>Upsampling on the way up. Default <see cref="DipUpsampling.Bilinear"/>.</summary>
    public DipUpsampling Upsampling { get; init; } = DipUpsampling.Bilinear;

    /// <summary>Convolution padding. Default <see cref="DipPadding.Reflection"/>.</summary>
    public DipPadding Padding { get; init; } = DipPadding.Reflection;

    /// <summary>Channels of the fixed input noise z. Default 32.</summary>
    public int NoiseChannels { get; init; } = 32;

    /// <summary>The input noise is uniform in [0, <see cref="NoiseScale"/>]. Default 0.1.</summary>
    public double NoiseScale { get; init; } = 0.1;

    /// <summary>Negative slope of every LeakyReLU. Default 0.2.</summary>
    public double LeakySlope { get; init; } = 0.2;

    /// <summary>Number of levels (resolution halvings): the length of <see cref="Channels"/>.</summary>
    public int Depth => Channels.Count;

    /// <summary>Small preset: channels [16, 16], kernels [2, 2], skip [4, 4], skip kernel 1 (sensitivity study).</summary>
    public static DipNetworkConfig Small { get; } = new() { Channels = [16, 16], Kernels = [2, 2], SkipChannels = [4, 4], SkipKernel = 1 };

    /// <summary>Medium preset, the CIFAR-10 default: channels [32, 32, 32], kernels [3, 3, 3], skip [3, 3, 3], skip kernel 1.</summary>
    public static DipNetworkConfig Medium { get; } = new() { Channels = [32, 32, 32], Kernels = [3, 3, 3], SkipChannels = [3, 3, 3], SkipKernel = 1 };

    /// <summary>Large preset: channels [48]×4, kernels [4]×4, skip [4]×4, skip kernel 1 (sensitivity study).</summary>
    public static DipNetworkConfig Large { get; } = new() { Channels = [48, 48, 48, 48], Kernels = [4, 4, 4, 4], SkipChannels = [4, 4, 4, 4], SkipKernel = 1 };

    /// <summary>ImageNet preset (224×224 images): channels [64]×5, kernels [3]×5, skip [4]×5, skip kernel 1.</summary>
    public static DipNetworkConfig ImageNet { get; } = new() { Channels = [64, 64, 64, 64, 64], Kernels = [3, 3, 3, 3, 3], SkipChannels = [4, 4, 4, 4, 4], SkipKernel = 1 };

    /// <summary>The preset names accepted by <see cref="FromName"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["small", "medium", "large", "imagenet"];

    /// <summary>The preset with the given name ("small", "medium", "large", "imagenet"; case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="PresetNames"/>.</exception>
    public static DipNetworkConfig FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "small" => Small,
            "medium" => Medium,
            "large" => Large,
            "imagenet" => ImageNet,
            _ => throw new ArgumentException($"Unknown DIP network preset '{name}'; expected one of: {string.Join(", ", PresetNames)}.", nameof(name)),
        };
    }

    /// <summary>The name of the preset equal to <paramref name="network"/> (as <see cref="FromName"/> accepts it), or null for a custom network.</summary>
    public static string? PresetNameOf(DipNetworkConfig network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return PresetNames.FirstOrDefault(name => FromName(name).Equals(network));
    }

    /// <summary>
    /// Checks that the per-level lists are non-empty and of equal length, that channels and kernels are
    /// positive (skip channels non-negative), and that the scalar settings are in range.
    /// </summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "config";
        void Fail(string message) => throw new ArgumentException($"Invalid DipNetworkConfig: {message}", paramName);

        if (Channels is null || Channels.Count == 0) Fail("Channels must list at least one level.");
        if (Kernels is null || Kernels.Count != Channels!.Count)
            Fail($"Kernels must have one entry per level ({Channels!.Count}); got {Kernels?.Count.ToString() ?? "null"}.");
        if (SkipChannels is null || SkipChannels.Count != Channels!.Count)
            Fail($"SkipChannels must have one entry per level ({Channels!.Count}); got {SkipChannels?.Count.ToString() ?? "null"}.");
        for (int i = 0; i < Channels!.Count; i++)
        {
            if (Channels[i] <= 0) Fail($"Channels[{i}] must be positive; got {Channels[i]}.");
            if (Kernels![i] <= 0) Fail($"Kernels[{i}] must be positive; got {Kernels[i]}.");
            if (SkipChannels![i] < 0) Fail($"SkipChannels[{i}] must be zero or positive; got {SkipChannels[i]}.");
        }
        if (SkipKernel <= 0) Fail($"SkipKernel must be positive; got {SkipKernel}.");
        if (!Enum.IsDefined(Upsampling)) Fail($"Upsampling has the undefined value {(int)Upsampling}.");
        if (!Enum.IsDefined(Padding)) Fail($"Padding has the undefined value {(int)Padding}.");
        if (NoiseChannels <= 0) Fail($"NoiseChannels must be positive; got {NoiseChannels}.");
        if (!(NoiseScale > 0) || double.IsInfinity(NoiseScale)) Fail($"NoiseScale must be positive and finite; got {NoiseScale}.");
        if (!(LeakySlope >= 0) || double.IsInfinity(LeakySlope)) Fail($"LeakySlope must be non-negative and finite; got {LeakySlope}.");
    }

    /// <summary>Value equality, comparing the per-level lists element by element.</summary>
    public bool Equals(DipNetworkConfig? other) =>
        other is not null
        && SameList(Channels, other.Channels) && SameList(Kernels, other.Kernels) && SameList(SkipChannels, other.SkipChannels)
        && SkipKernel == other.SkipKernel && Upsampling == other.Upsampling && Padding == other.Padding
        && NoiseChannels == other.NoiseChannels && NoiseScale.Equals(other.NoiseScale) && LeakySlope.Equals(other.LeakySlope);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var list in new[] { Channels, Kernels, SkipChannels })
        {
            hash.Add(list?.Count ?? -1);
            if (list is not null) foreach (int v in list) hash.Add(v);
        }
        hash.Add(SkipKernel);
        hash.Add(Upsampling);
        hash.Add(Padding);
        hash.Add(NoiseChannels);
        hash.Add(NoiseScale);
        hash.Add(LeakySlope);
        return hash.ToHashCode();
    }

    /// <summary>A readable one-line form, e.g. <c>channels [32, 32, 32], kernels [3, 3, 3], skip [3, 3, 3] k1, Bilinear, Reflection</c>.</summary>
    public override string ToString() =>
        $"channels [{Join(Channels)}], kernels [{Join(Kernels)}], skip [{Join(SkipChannels)}] k{SkipKernel}, {Upsampling}, {Padding}, noise {NoiseChannels}×U[0,{NoiseScale}], LeakyReLU {LeakySlope}";

    private static string Join(IReadOnlyList<int>? list) => list is null ? "null" : string.Join(", ", list);

    private static bool SameList(IReadOnlyList<int>? a, IReadOnlyList<int>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b));
}
