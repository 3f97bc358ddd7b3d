using System.CommandLine;
using DipDefense.Cli.Commands;
using DipDefense.Defense;
using DipDefense.Dip;

namespace DipDefense.Cli;

/// <summary>
/// The command-line options of the decision-space purifier (<see cref="PurifierOptions"/> and its trace), one value
/// each, shared by the commands that run it (<c>purify</c>, <c>evaluate</c>); <c>calibrate</c> takes lists instead.
/// </summary>
internal sealed class PurifierOptionsBinding
{
    static readonly PurifierOptions Defaults = new();

    public Option<string> Preset { get; } = new("--preset") { Description = $"DIP network: {string.Join(", ", DipNetworkConfig.PresetNames)}.", DefaultValueFactory = _ => "medium" };
    public Option<int> Iterations { get; } = new("--iterations") { Description = "DIP iterations T.", DefaultValueFactory = _ => Defaults.Trace.Iterations };
    public Option<int> Snapshots { get; } = new("--snapshots") { Description = "Snapshots M along the trace (must divide T).", DefaultValueFactory = _ => Defaults.Trace.Snapshots };
    public Option<int> Batch { get; } = new("--batch") { Description = "Images purified together by one batched DIP computation (speed only; results do not depend on it).", DefaultValueFactory = _ => Defaults.BatchSize };
    public Option<int> RefillBatches { get; } = new("--refill-batches") { Description = "Batches one DIP fit works through, starting the next image's network whenever a trace ends (speed and memory only; 1: each batch on its own).", DefaultValueFactory = _ => Defaults.RefillBatches };
    public Option<long> Seed { get; } = new("--seed") { Description = "DIP seed; image i uses seed + i.", DefaultValueFactory = _ => Defaults.Trace.Seed };
    public Option<string> InputNoise { get; } = new("--input-noise") { Description = "σ_z: std of the fresh Gaussian noise added to the DIP input at every iteration, a number or a fraction such as 1/30 (0: off).", DefaultValueFactory = _ => Defaults.Trace.InputNoiseStd.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
    public Option<double> OutputAveraging { get; } = new("--output-averaging") { Description = "β: the snapshots are the exponential moving average of the DIP outputs with this weight (0: off; the official DIP uses 0.99).", DefaultValueFactory = _ => Defaults.Trace.OutputAveraging };
    public Option<bool> NoiseFree { get; } = new("--noise-free-snapshots") { Description = "Snapshots of the unperturbed input z (an extra forward pass) instead of the perturbed one.", DefaultValueFactory = _ => Defaults.Trace.NoiseFreeSnapshots };
    public Option<double> Tau { get; } = new("--tau") { Description = "SSIM threshold τ of a recognisable snapshot.", DefaultValueFactory = _ => Defaults.SsimThreshold };
    public Option<int> WarmUp { get; } = new("--warmup") { Description = "Warm-up w: snapshots before index w are never cross-boundary.", DefaultValueFactory = _ => Defaults.WarmUp };
    public Option<int> StableRun { get; } = new("--stable-run") { Description = "k: a crossing counts only when the label it leaves was held for k snapshots (1: the paper's Eq. 3).", DefaultValueFactory = _ => Defaults.StableRun };
    public Option<int> Pairs { get; } = new("--pairs") { Description = "N: the last N cross-boundary pairs are stitched.", DefaultValueFactory = _ => Defaults.Pairs };
    public Option<double> Eta { get; } = new("--eta") { Description = "η: on-manifold push away from the input.", DefaultValueFactory = _ => Defaults.Eta };
    public Option<int> Grid { get; } = new("--grid") { Description = "G: sections of the on-boundary grid search.", DefaultValueFactory = _ => Defaults.GridSections };
    public Option<string> Selection { get; } = new("--selection") { Description = "paper (Eq. 3–7 for every input), support-gate (inputs whose own label the trace supports pass through) or vote (inputs the trace marks as adversarial get the class their later snapshots vote for, their own label left out).", DefaultValueFactory = _ => CalibrateCommand.SelectionName(Defaults.Selection) };
    public Option<double> GateThreshold { get; } = new("--gate-threshold") { Description = "θ of the gate (support-gate and vote): the mean support of the input's label over the gate window that lets it through.", DefaultValueFactory = _ => Defaults.GateThreshold };
    public Option<string> GateWindow { get; } = new("--gate-window") { Description = "The gate's window from-to, as shares of the trace (0.1-0.3: snapshots 20 to 60 of 200).", DefaultValueFactory = _ => CalibrateCommand.WindowName(Defaults) };
    public Option<double> PoorFit { get; } = new("--poor-fit") { Description = "φ_p (vote): an input whose last snapshot has SSIM below this to it is marked as adversarial (0: off).", DefaultValueFactory = _ => Defaults.PoorFit };
    public Option<double> LateChangeFit { get; } = new("--late-change-fit") { Description = "φ_l (vote): a late label change with weak support marks an input only when its last snapshot's SSIM to it is below this (1: no condition).", DefaultValueFactory = _ => Defaults.LateChangeFit };
    public Option<double> AmbiguousMargin { get; } = new("--ambiguous-margin") { Description = "μ (vote): a marked input whose victim logit margin is below this votes with its own label too, weighted by --own-label-weight (0: off).", DefaultValueFactory = _ => Defaults.AmbiguousMargin };
    public Option<double> OwnLabelWeight { get; } = new("--own-label-weight") { Description = "λ (vote): the weight of an ambiguous input's own label in its vote (0: left out).", DefaultValueFactory = _ => Defaults.OwnLabelWeight };
    public Option<double> AmbiguousFit { get; } = new("--ambiguous-fit") { Description = "φ_a (vote): an input below --ambiguous-margin is ambiguous only when the mean SSIM of its traces' last snapshots to it is at least this (0: no condition).", DefaultValueFactory = _ => Defaults.AmbiguousFit };

    public Option<int> Seeds { get; } = new("--seeds") { Description = "K (vote): independent DIP traces per image, seeds seed + 1000·k + i; an input is marked when all K mark it (or --mark-quorum of them) and votes over all K (costs K traces).", DefaultValueFactory = _ => Defaults.Seeds };
    public Option<int> MarkQuorum { get; } = new("--mark-quorum") { Description = "q (vote): an input is marked when at least q of its K traces mark it (0: all K).", DefaultValueFactory = _ => Defaults.MarkQuorum };

    public Option<double> Horizon { get; } = new("--horizon") { Description = "H: the share of the DIP trace the reconstruction reads; the fit stops there (1: the whole trace).", DefaultValueFactory = _ => Defaults.Horizon };
    public Option<double> MarkedHorizon { get; } = new("--marked-horizon") { Description = "H_m (vote): early stop per trace once it has marked its input by this share of the trace; the rules read it up to there (1: off).", DefaultValueFactory = _ => Defaults.MarkedHorizon };
    public Option<double> SettledFit { get; } = new("--settled-fit") { Description = "φ_s: early stop per trace once every snapshot from w on carries the input's label and one past the gate window fits the input with SSIM at least this (0: off; else at least --poor-fit).", DefaultValueFactory = _ => Defaults.SettledFit };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Preset, Iterations, Snapshots, Batch, RefillBatches, Seed, InputNoise, OutputAveraging, NoiseFree, Tau, WarmUp, StableRun, Pairs, Eta, Grid, Selection, GateThreshold, GateWindow, PoorFit, LateChangeFit, AmbiguousMargin, OwnLabelWeight, AmbiguousFit, Seeds, MarkQuorum, Horizon, MarkedHorizon, SettledFit })
            command.Options.Add(option);
    }

    /// <summary>The purifier's settings from the command line, validated.</summary>
    public PurifierOptions Build(ParseResult result)
    {
        var window = CalibrateCommand.ParseWindow(result.GetValue(GateWindow)!);
        var options = new PurifierOptions
        {
            Trace = new DipTraceOptions
            {
                Network = DipNetworkConfig.FromName(result.GetValue(Preset)!),
                Iterations = result.GetValue(Iterations),
                Snapshots = result.GetValue(Snapshots),
                Seed = result.GetValue(Seed),
                InputNoiseStd = Fraction.Parse(result.GetValue(InputNoise)!, InputNoise.Name),
                OutputAveraging = result.GetValue(OutputAveraging),
                NoiseFreeSnapshots = result.GetValue(NoiseFree),
            },
            SsimThreshold = result.GetValue(Tau),
            WarmUp = result.GetValue(WarmUp),
            StableRun = result.GetValue(StableRun),
            Pairs = result.GetValue(Pairs),
            Eta = result.GetValue(Eta),
            GridSections = result.GetValue(Grid),
            Selection = CalibrateCommand.ParseSelection(result.GetValue(Selection)!),
            GateThreshold = result.GetValue(GateThreshold),
            GateFrom = window.From,
            GateTo = window.To,
            PoorFit = result.GetValue(PoorFit),
            LateChangeFit = result.GetValue(LateChangeFit),
            AmbiguousMargin = result.GetValue(AmbiguousMargin),
            OwnLabelWeight = result.GetValue(OwnLabelWeight),
            AmbiguousFit = result.GetValue(AmbiguousFit),
            Seeds = result.GetValue(Seeds),
            MarkQuorum = result.GetValue(MarkQuorum),
            Horizon = result.GetValue(Horizon),
            SettledFit = result.GetValue(SettledFit),
            MarkedHorizon = result.GetValue(MarkedHorizon),
            BatchSize = result.GetValue(Batch),
            RefillBatches = result.GetValue(RefillBatches),
        };
        options.Validate();
        return options;
    }

    /// <summary>The settings as the JSON of <c>purify</c> and the store of <c>evaluate</c> name them.</summary>
    public object ToJson(ParseResult result, PurifierOptions options) => new
    {
        preset = result.GetValue(Preset),
        iterations = options.Trace.Iterations,
        snapshots = options.Trace.Snapshots,
        seed = options.Trace.Seed,
        input_noise = options.Trace.InputNoiseStd,
        output_averaging = options.Trace.OutputAveraging,
        noise_free_snapshots = options.Trace.NoiseFreeSnapshots,
        tau = options.SsimThreshold,
        warmup = options.WarmUp,
        stable_run = options.StableRun,
        pairs = options.Pairs,
        eta = options.Eta,
        grid = options.GridSections,
        selection = CalibrateCommand.SelectionName(options.Selection),
        gate_threshold = options.GateThreshold,
        gate_window = CalibrateCommand.WindowName(options),
        poor_fit = options.PoorFit,
        late_change_fit = options.LateChangeFit,
        ambiguous_margin = options.AmbiguousMargin,
        own_label_weight = options.OwnLabelWeight,
        ambiguous_fit = options.AmbiguousFit,
        seeds = options.TracesPerImage,   // what ran: the other modes read one trace whatever --seeds says
        mark_quorum = options.Selection == PurifierSelection.Vote ? options.MarksNeeded : (int?)null,   // marking is the vote's
        horizon = options.Horizon,
        settled_fit = options.SettledFit,
        marked_horizon = options.MarkedHorizon,
        batch = options.BatchSize,
        refill_batches = options.RefillBatches,
    };
}
