using System.Reflection;
using DipDefense.Baselines;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.MLNet;

namespace DipDefense.Tests.Cli;

/// <summary>
/// Every setting of the purifier (PurifierOptions and its DipTraceOptions) exists on every surface: the ML.NET options
/// (DipPurifyOptions), `dipdefense purify` and `dipdefense evaluate` (the same options, PurifierOptionsBinding) and
/// `dipdefense calibrate`. A setting added to the core and forgotten on a surface fails here.
/// </summary>
public class SettingsSurfacesTests
{
    /// <summary>Core setting → its ML.NET field, its purify option and its calibrate option (null: not on that surface, with the reason).</summary>
    private static readonly Dictionary<string, (string? MLNet, string? Purify, string? Calibrate)> Surfaces = new()
    {
        ["Trace.Iterations"] = ("Iterations", "--iterations", "--iterations"),
        ["Trace.Snapshots"] = ("Snapshots", "--snapshots", "--snapshots"),
        ["Trace.Network"] = ("Preset", "--preset", "--preset"),
        ["Trace.Seed"] = ("Seed", "--seed", "--seed"),
        ["Trace.InputNoiseStd"] = ("InputNoiseStd", "--input-noise", "--input-noise"),
        ["Trace.OutputAveraging"] = ("OutputAveraging", "--output-averaging", "--output-averaging"),
        ["Trace.NoiseFreeSnapshots"] = ("NoiseFreeSnapshots", "--noise-free-snapshots", "--noise-free-snapshots"),
        ["Trace.LearningRate"] = (null, null, null),   // the paper's Adam learning rate: a core setting only
        ["Trace.Workers"] = (null, null, null),        // speed only, chosen automatically on every surface
        ["SsimThreshold"] = ("SsimThreshold", "--tau", "--tau"),
        ["WarmUp"] = ("WarmUp", "--warmup", "--warmup"),
        ["StableRun"] = ("StableRun", "--stable-run", "--stable-run"),
        ["Pairs"] = ("Pairs", "--pairs", "--pairs"),
        ["Eta"] = ("Eta", "--eta", "--eta"),
        ["GridSections"] = ("GridSections", "--grid", "--grid"),
        ["Selection"] = ("Selection", "--selection", "--selection"),
        ["GateThreshold"] = ("GateThreshold", "--gate-threshold", "--gate-threshold"),
        ["GateFrom"] = ("GateFrom", "--gate-window", "--gate-window"),
        ["GateTo"] = ("GateTo", "--gate-window", "--gate-window"),
        ["PoorFit"] = ("PoorFit", "--poor-fit", "--poor-fit"),
        ["LateChangeFit"] = ("LateChangeFit", "--late-change-fit", "--late-change-fit"),
        ["AmbiguousMargin"] = ("AmbiguousMargin", "--ambiguous-margin", "--ambiguous-margin"),
        ["OwnLabelWeight"] = ("OwnLabelWeight", "--own-label-weight", "--own-label-weight"),
        ["AmbiguousFit"] = ("AmbiguousFit", "--ambiguous-fit", "--ambiguous-fit"),
        ["Seeds"] = ("Seeds", "--seeds", "--seeds"),
        ["MarkQuorum"] = ("MarkQuorum", "--mark-quorum", "--mark-quorum"),
        ["Horizon"] = ("Horizon", "--horizon", "--horizon"),
        ["SettledFit"] = ("SettledFit", "--settled-fit", "--settled-fit"),
        ["MarkedHorizon"] = ("MarkedHorizon", "--marked-horizon", "--marked-horizon"),
        ["BatchSize"] = ("BatchSize", "--batch", "--batch"),
        // Speed only; calibrate fits whole traces for its cache, so no trace ends early to make room.
        ["RefillBatches"] = ("RefillBatches", "--refill-batches", null),
    };

    private static IEnumerable<string> CoreSettings() =>
        typeof(PurifierOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name != nameof(PurifierOptions.Trace)).Select(p => p.Name)
            .Concat(typeof(DipTraceOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite).Select(p => "Trace." + p.Name));

    [Fact]
    public void EveryCoreSettingIsListedHere()
    {
        var missing = CoreSettings().Where(s => !Surfaces.ContainsKey(s)).ToArray();
        Assert.True(missing.Length == 0, $"core settings without a surface entry: {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryListedSettingExistsOnTheMLNetOptions()
    {
        var fields = typeof(DipPurifyOptions).GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name).ToHashSet();
        var missing = Surfaces.Where(s => s.Value.MLNet is { } name && !fields.Contains(name)).Select(s => s.Key).ToArray();
        Assert.True(missing.Length == 0, $"missing on DipPurifyOptions: {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("purify")]
    [InlineData("evaluate")]
    [InlineData("calibrate")]
    public void EveryListedSettingIsAnOptionOfTheCommand(string command)
    {
        var r = CliRunner.Run(command, "--help");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var missing = Surfaces
            .Select(s => (s.Key, Option: command == "calibrate" ? s.Value.Calibrate : s.Value.Purify))
            .Where(s => s.Option is { } option && !r.StdOut.Contains(option + " "))
            .Select(s => s.Key).ToArray();
        Assert.True(missing.Length == 0, $"missing on dipdefense {command}: {string.Join(", ", missing)}");
    }

    /// <summary>Each baseline's setting → its ML.NET field and its purify option (null: not on that surface, with the reason).</summary>
    private static readonly Dictionary<string, (string? MLNet, string? Purify)> BaselineSurfaces = new()
    {
        ["JpegCompressionOptions.Quality"] = ("JpegQuality", "--quality"),
        ["BitDepthReductionOptions.Bits"] = ("Bits", "--bits"),
        ["MedianSmoothingOptions.WindowSize"] = ("MedianWindow", "--window"),
        ["DipDefendOptions.Iterations"] = ("DipDefendIterations", "--dipdefend-iterations"),
        ["DipDefendOptions.Seed"] = ("Seed", "--seed"),             // shared with the DIP purifier
        ["DipDefendOptions.BatchSize"] = ("BatchSize", "--batch"),  // shared with the DIP purifier
        ["DipDefendOptions.Workers"] = (null, null),                // speed only, chosen automatically, as the trace's
        ["DipDefendOptions.Network"] = (null, null),                // DIPDefend's reference network: a core setting only
        ["DipDefendOptions.LearningRate"] = (null, null),           // its paper's Adam learning rate
        ["DipDefendOptions.SmoothingFactor"] = (null, null),        // its paper's Holt smoothing λ
        ["DipDefendOptions.PsnrPatchSize"] = (null, null),          // its paper's PSNR patch
    };

    [Fact]
    public void EveryBaselineSettingIsListedAndExistsOnTheMLNetOptionsAndPurify()
    {
        var settings = new[] { typeof(JpegCompressionOptions), typeof(BitDepthReductionOptions), typeof(MedianSmoothingOptions), typeof(DipDefendOptions) }
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"{t.Name}.{p.Name}"))
            .ToArray();
        var unlisted = settings.Where(s => !BaselineSurfaces.ContainsKey(s)).ToArray();
        Assert.True(unlisted.Length == 0, $"baseline settings without a surface entry: {string.Join(", ", unlisted)}");

        var fields = typeof(DipPurifyOptions).GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name).ToHashSet();
        var notOnMLNet = BaselineSurfaces.Where(s => s.Value.MLNet is { } name && !fields.Contains(name)).Select(s => s.Key).ToArray();
        Assert.True(notOnMLNet.Length == 0, $"missing on DipPurifyOptions: {string.Join(", ", notOnMLNet)}");

        var help = CliRunner.Run("purify", "--help");
        Assert.True(help.ExitCode == 0, help.StdErr);
        var notOnPurify = BaselineSurfaces.Where(s => s.Value.Purify is { } option && !help.StdOut.Contains(option + " ")).Select(s => s.Key).ToArray();
        Assert.True(notOnPurify.Length == 0, $"missing on dipdefense purify: {string.Join(", ", notOnPurify)}");
    }
}
