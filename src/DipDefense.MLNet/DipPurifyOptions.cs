using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Victims;

namespace DipDefense.MLNet;

/// <summary>
/// Settings of <see cref="DipPurifyingEstimator"/> (<c>mlContext.Transforms.DipPurify(options)</c>): the columns, the
/// victim classifier and every setting of the decision-space DIP purifier (docs/method.md), or another defense of the
/// library to compare against (<see cref="Defense"/>, docs/defenses.md).
/// </summary>
/// <remarks>
/// The defaults of the purifier settings are those of the core <see cref="PurifierOptions"/> (listed in
/// <see cref="Defaults"/>), so a pipeline and <c>dipdefense purify</c> with the same values compute the same images.
/// </remarks>
public sealed class DipPurifyOptions
{
    /// <summary>The defaults of <see cref="DipPurifyOptions"/>, read from the core <see cref="PurifierOptions"/>.</summary>
    public static class Defaults
    {
        static readonly PurifierOptions Core = new();

        /// <summary>The defense: "decision-dip", the decision-space DIP purifier.</summary>
        public const string Defense = DefenseChoice.DecisionDip;

        /// <summary>JPEG quality of the "jpeg" defense: 75.</summary>
        public static readonly int JpegQuality = new Baselines.JpegCompressionOptions().Quality;

        /// <summary>Bits per channel kept by the "bit-depth" defense: 4.</summary>
        public static readonly int Bits = new Baselines.BitDepthReductionOptions().Bits;

        /// <summary>Side of the "median" defense's window: 3.</summary>
        public static readonly int MedianWindow = new Baselines.MedianSmoothingOptions().WindowSize;

        /// <summary>Adam iterations of the "dipdefend" defense's DIP fit: 4000.</summary>
        public static readonly int DipDefendIterations = new Baselines.DipDefendOptions().Iterations;

        /// <summary>DIP network preset: "medium" (the paper's CIFAR-10 network).</summary>
        public const string Preset = "medium";

        /// <summary>DIP iterations T: 1000.</summary>
        public static readonly int Iterations = Core.Trace.Iterations;

        /// <summary>Snapshots M: 200.</summary>
        public static readonly int Snapshots = Core.Trace.Snapshots;

        /// <summary>Base DIP seed: 0.</summary>
        public static readonly long Seed = Core.Trace.Seed;

        /// <summary>σ_z, the DIP input-noise regularisation: 1/30.</summary>
        public static readonly double InputNoiseStd = Core.Trace.InputNoiseStd;

        /// <summary>β, the DIP output averaging: 0 (off).</summary>
        public static readonly double OutputAveraging = Core.Trace.OutputAveraging;

        /// <summary>Noise-free snapshots: false.</summary>
        public static readonly bool NoiseFreeSnapshots = Core.Trace.NoiseFreeSnapshots;

        /// <summary>Selection mode: the core default (<see cref="PurifierOptions.Selection"/>).</summary>
        public static readonly PurifierSelection Selection = Core.Selection;

        /// <summary>θ of the gate: the core default (<see cref="PurifierOptions.GateThreshold"/>).</summary>
        public static readonly double GateThreshold = Core.GateThreshold;

        /// <summary>Start of the gate's window, as a share of the trace: the core default (<see cref="PurifierOptions.GateFrom"/>).</summary>
        public static readonly double GateFrom = Core.GateFrom;

        /// <summary>End of the gate's window, as a share of the trace: the core default (<see cref="PurifierOptions.GateTo"/>).</summary>
        public static readonly double GateTo = Core.GateTo;

        /// <summary>φ_p of the vote: the core default (<see cref="PurifierOptions.PoorFit"/>).</summary>
        public static readonly double PoorFit = Core.PoorFit;

        /// <summary>φ_l of the vote: the core default (<see cref="PurifierOptions.LateChangeFit"/>).</summary>
        public static readonly double LateChangeFit = Core.LateChangeFit;

        /// <summary>μ of the vote: the core default (<see cref="PurifierOptions.AmbiguousMargin"/>).</summary>
        public static readonly double AmbiguousMargin = Core.AmbiguousMargin;

        /// <summary>λ of the vote: the core default (<see cref="PurifierOptions.OwnLabelWeight"/>).</summary>
        public static readonly double OwnLabelWeight = Core.OwnLabelWeight;

        /// <summary>φ_a of the vote: the core default (<see cref="PurifierOptions.AmbiguousFit"/>).</summary>
        public static readonly double AmbiguousFit = Core.AmbiguousFit;

        /// <summary>Traces per row K: the core default (<see cref="PurifierOptions.Seeds"/>).</summary>
        public static readonly int Seeds = Core.Seeds;

        /// <summary>Marking quorum q: the core default (<see cref="PurifierOptions.MarkQuorum"/>).</summary>
        public static readonly int MarkQuorum = Core.MarkQuorum;

        /// <summary>The share of the trace read: the core default (<see cref="PurifierOptions.Horizon"/>).</summary>
        public static readonly double Horizon = Core.Horizon;

        /// <summary>The settled fit φ_s of the early stop: the core default (<see cref="PurifierOptions.SettledFit"/>).</summary>
        public static readonly double SettledFit = Core.SettledFit;

        /// <summary>The marked horizon H_m of the early stop: the core default (<see cref="PurifierOptions.MarkedHorizon"/>).</summary>
        public static readonly double MarkedHorizon = Core.MarkedHorizon;

        /// <summary>Rows purified together: 16.</summary>
        public static readonly int BatchSize = Core.BatchSize;

        /// <summary>Batches one DIP fit works through: the core default (<see cref="PurifierOptions.RefillBatches"/>).</summary>
        public static readonly int RefillBatches = Core.RefillBatches;

        /// <summary>TorchSharp device: "cpu".</summary>
        public const string Device = "cpu";

        /// <summary>τ: 0.7.</summary>
        public static readonly double SsimThreshold = Core.SsimThreshold;

        /// <summary>w: 20 snapshots.</summary>
        public static readonly int WarmUp = Core.WarmUp;

        /// <summary>k: 1 snapshot (the paper's Eq. 3).</summary>
        public static readonly int StableRun = Core.StableRun;

        /// <summary>N: 1.</summary>
        public static readonly int Pairs = Core.Pairs;

        /// <summary>η: 0.1.</summary>
        public static readonly double Eta = Core.Eta;

        /// <summary>G: 10.</summary>
        public static readonly int GridSections = Core.GridSections;

        /// <summary>Scale of a float-vector input column: 1 (ExtractPixels' default).</summary>
        public const float ScaleImage = 1f;

        /// <summary>Offset of a float-vector input column: 0 (ExtractPixels' default).</summary>
        public const float OffsetImage = 0f;
    }

    /// <summary>The column that receives the purified images (same type as the input column). Required.</summary>
    public string OutputColumnName = "";

    /// <summary>
    /// The column of images to purify; <see langword="null"/> (the default) uses <see cref="OutputColumnName"/>. Either
    /// an <c>MLImage</c> column (<c>LoadImages</c>, <c>ResizeImages</c>; read as 3 channels R, G, B in [0, 1], alpha kept
    /// as is) or a known-size vector of <see cref="float"/> laid out as <c>ExtractPixels</c> writes it by default:
    /// planar [C, H, W], each value (p − <see cref="OffsetImage"/>) × <see cref="ScaleImage"/> for a pixel p in [0, 255].
    /// </summary>
    public string? InputColumnName;

    /// <summary>
    /// The ONNX victim classifier to protect: input [N, C, H, W], output logits [N, K]. Required. Only load models from
    /// trusted sources. Saving a pipeline (<see cref="DipPurifyModel.Save(Microsoft.ML.MLContext, Microsoft.ML.ITransformer, Microsoft.ML.DataViewSchema, string)"/>) stores the model's bytes, so the
    /// file need not exist when the pipeline is loaded again.
    /// </summary>
    public string ModelPath = "";

    /// <summary>
    /// How the victim binds and preprocesses (input and output names, scale, mean, std, ONNX batch size). Default: the
    /// core defaults (names detected when unique, identity preprocessing, batches of 64).
    /// </summary>
    public OnnxClassifierOptions Victim = new();

    /// <summary>
    /// The defense: "decision-dip" (the default: the decision-space DIP purifier, set by the DIP and selection fields
    /// below), or a baseline to compare against: "dipdefend" (<see cref="DipDefendIterations"/>; <see cref="Seed"/> and
    /// <see cref="BatchSize"/> apply), "jpeg" (<see cref="JpegQuality"/>), "bit-depth" (<see cref="Bits"/>), "median"
    /// (<see cref="MedianWindow"/>) or "none" (the images pass unchanged). docs/defenses.md describes each.
    /// </summary>
    public string Defense = Defaults.Defense;

    /// <summary>"jpeg": the JPEG quality, 1 to 100. Default 75.</summary>
    public int JpegQuality = Defaults.JpegQuality;

    /// <summary>"bit-depth": the bits per channel kept, 1 to 8. Default 4.</summary>
    public int Bits = Defaults.Bits;

    /// <summary>"median": the side of the median window. Default 3.</summary>
    public int MedianWindow = Defaults.MedianWindow;

    /// <summary>"dipdefend": the Adam iterations of its DIP fit. Default 4000.</summary>
    public int DipDefendIterations = Defaults.DipDefendIterations;

    /// <summary>DIP network preset: "small", "medium", "large" or "imagenet". Default "medium".</summary>
    public string Preset = Defaults.Preset;

    /// <summary>DIP iterations T; a positive multiple of <see cref="Snapshots"/>. Default 1000.</summary>
    public int Iterations = Defaults.Iterations;

    /// <summary>Snapshots M along each DIP trace. Default 200.</summary>
    public int Snapshots = Defaults.Snapshots;

    /// <summary>
    /// Base DIP seed. Row r of the data view (0-based) uses seed <c>Seed + r</c>, as image i of
    /// <c>dipdefense purify --seed S</c> uses <c>S + i</c>. Default 0.
    /// </summary>
    public long Seed = Defaults.Seed;

    /// <summary>
    /// σ_z, the input-noise regularisation of the DIP fit (the official DIP's <c>reg_noise_std</c>): fresh Gaussian noise
    /// of this std is added to the generator's input at every iteration, drawn from the row's own seeded generator. 0
    /// switches it off. Finite and ≥ 0. Default 1/30.
    /// </summary>
    public double InputNoiseStd = Defaults.InputNoiseStd;

    /// <summary>
    /// β, the output averaging of the DIP fit (the official DIP's <c>exp_weight</c>): when positive, the snapshots are the
    /// exponential moving average of the outputs. 0 switches it off. In [0, 1). Default 0.
    /// </summary>
    public double OutputAveraging = Defaults.OutputAveraging;

    /// <summary>
    /// Whether each DIP snapshot is the output for the unperturbed input z (an extra forward pass) rather than the
    /// perturbed one (only with <see cref="InputNoiseStd"/> &gt; 0 and no output averaging). Default false.
    /// </summary>
    public bool NoiseFreeSnapshots = Defaults.NoiseFreeSnapshots;

    /// <summary>
    /// How each output is chosen: <see cref="PurifierSelection.Paper"/> (Eq. 3–7 for every row),
    /// <see cref="PurifierSelection.SupportGate"/> (rows whose own label the trace supports pass through) or
    /// <see cref="PurifierSelection.Vote"/> (rows the trace marks as adversarial get the class their later snapshots vote for).
    /// Default: the core default (<see cref="PurifierOptions.Selection"/>).
    /// </summary>
    public PurifierSelection Selection = Defaults.Selection;

    /// <summary>θ of the gate (support gate and vote), in [0, 1]. Default: the core default (<see cref="PurifierOptions.GateThreshold"/>).</summary>
    public double GateThreshold = Defaults.GateThreshold;

    /// <summary>Start of the gate's window, as a share of the trace, in [0, <see cref="GateTo"/>). Default: the core default (<see cref="PurifierOptions.GateFrom"/>).</summary>
    public double GateFrom = Defaults.GateFrom;

    /// <summary>End of the gate's window, as a share of the trace, in (<see cref="GateFrom"/>, 1]. Default: the core default (<see cref="PurifierOptions.GateTo"/>).</summary>
    public double GateTo = Defaults.GateTo;

    /// <summary>
    /// φ_p of the vote, in [0, 1]: a row whose last snapshot has SSIM below it to the row is marked as adversarial (0: off).
    /// Default: the core default (<see cref="PurifierOptions.PoorFit"/>).
    /// </summary>
    public double PoorFit = Defaults.PoorFit;

    /// <summary>
    /// φ_l of the vote, in [0, 1]: a late label change marks a row only when its last snapshot's SSIM to it is below it
    /// (1: no condition). Default: the core default (<see cref="PurifierOptions.LateChangeFit"/>).
    /// </summary>
    public double LateChangeFit = Defaults.LateChangeFit;

    /// <summary>
    /// μ of the vote, ≥ 0 (a logit margin of the victim): a marked row whose victim margin is below it votes with its own
    /// label too, weighted by <see cref="OwnLabelWeight"/> (0: off). Default: the core default (<see cref="PurifierOptions.AmbiguousMargin"/>).
    /// </summary>
    public double AmbiguousMargin = Defaults.AmbiguousMargin;

    /// <summary>
    /// λ of the vote, finite and ≥ 0: the weight of an ambiguous row's own label in its vote. Default: the core default
    /// (<see cref="PurifierOptions.OwnLabelWeight"/>).
    /// </summary>
    public double OwnLabelWeight = Defaults.OwnLabelWeight;

    /// <summary>
    /// φ_a of the vote, in [0, 1]: a row below <see cref="AmbiguousMargin"/> is ambiguous only when the mean SSIM of its
    /// traces' last snapshots to it is at least φ_a (0: no condition). Default: the core default
    /// (<see cref="PurifierOptions.AmbiguousFit"/>).
    /// </summary>
    public double AmbiguousFit = Defaults.AmbiguousFit;

    /// <summary>
    /// K of the vote, in [1, 16]: independent DIP traces per row (trace k of row r has seed <c>Seed + 1000·k + r</c>); a row
    /// is marked as adversarial only when all K traces mark it (or <see cref="MarkQuorum"/> of them), and votes over all K. A row costs K traces; the other
    /// selections read one trace whatever K is. Default: the core default, 2 (<see cref="PurifierOptions.Seeds"/>).
    /// </summary>
    public int Seeds = Defaults.Seeds;

    /// <summary>
    /// q of the vote, in [0, <see cref="Seeds"/>]: a row is marked as adversarial when at least q of its K traces mark it;
    /// 0 asks all K. Default: the core default, 0 (<see cref="PurifierOptions.MarkQuorum"/>).
    /// </summary>
    public int MarkQuorum = Defaults.MarkQuorum;

    /// <summary>
    /// H, the share of the DIP trace the reconstruction reads; the fit stops there, so a row costs H of a full trace. In (0, 1].
    /// Default: the core default (<see cref="PurifierOptions.Horizon"/>).
    /// </summary>
    public double Horizon = Defaults.Horizon;

    /// <summary>
    /// φ_s, the early stop per trace: a trace stops once every snapshot from w on carries the row's own label and one past
    /// the gate window fits the row with SSIM at least φ_s, so a row that looks clean costs less than a full trace.
    /// 0 is off; otherwise in [<see cref="PoorFit"/>, 1]. Default: the core default (<see cref="PurifierOptions.SettledFit"/>).
    /// </summary>
    public double SettledFit = Defaults.SettledFit;

    /// <summary>
    /// H_m, the early stop of the vote for marked traces: a trace that has marked its row as adversarial by this share of
    /// the DIP trace stops there, and the vote reads it up to there. In (0, 1]; 1 is off. Default: the core default
    /// (<see cref="PurifierOptions.MarkedHorizon"/>).
    /// </summary>
    public double MarkedHorizon = Defaults.MarkedHorizon;

    /// <summary>
    /// Rows purified together by one batched DIP computation, read from the input as the cursor advances. Speed and
    /// memory only: results do not depend on it. At least 1. Default 16.
    /// </summary>
    public int BatchSize = Defaults.BatchSize;

    /// <summary>
    /// Batches of <see cref="BatchSize"/> rows one DIP fit works through, starting the next row's network whenever a trace
    /// ends, so that a batch does not wait for its longest trace; the cursor reads RefillBatches·BatchSize rows at a time.
    /// Speed and memory only: results do not depend on it. At least 1 (1: each batch on its own). Default: the core
    /// default (<see cref="PurifierOptions.RefillBatches"/>).
    /// </summary>
    public int RefillBatches = Defaults.RefillBatches;

    /// <summary>TorchSharp device that runs the purifier: "cpu", "cuda" or "cuda:N". Default "cpu".</summary>
    public string Device = Defaults.Device;

    /// <summary>τ, the SSIM threshold of a recognisable snapshot (Eq. 3), in [−1, 1]. Default 0.7.</summary>
    public double SsimThreshold = Defaults.SsimThreshold;

    /// <summary>w, the warm-up in snapshots: earlier indices are never cross-boundary, in [0, M − 2]. Default 20.</summary>
    public int WarmUp = Defaults.WarmUp;

    /// <summary>
    /// k, the stable run: a crossing counts only when the label it leaves was held for the k snapshots up to it, in
    /// [1, M − 1]. Default 1 (every label change counts, as in the paper's Eq. 3).
    /// </summary>
    public int StableRun = Defaults.StableRun;

    /// <summary>N, the number of on-boundary images stitched, in [1, M]. Default 1.</summary>
    public int Pairs = Defaults.Pairs;

    /// <summary>η, the on-manifold push away from the input (Eq. 6), finite and ≥ 0. Default 0.1.</summary>
    public double Eta = Defaults.Eta;

    /// <summary>G, the sections of the on-boundary grid search (Eq. 4–5), at least 1. Default 10.</summary>
    public int GridSections = Defaults.GridSections;

    /// <summary>
    /// For a float-vector input column: the <c>scaleImage</c> given to <c>ExtractPixels</c>. The purified vector is
    /// written back with the same scale. Nonzero and finite. Default 1.
    /// </summary>
    public float ScaleImage = Defaults.ScaleImage;

    /// <summary>
    /// For a float-vector input column: the <c>offsetImage</c> given to <c>ExtractPixels</c>. The purified vector is
    /// written back with the same offset. Finite. Default 0.
    /// </summary>
    public float OffsetImage = Defaults.OffsetImage;

    /// <summary>
    /// For a float-vector input column whose type does not carry the three dimensions [C, H, W] (a flat vector): the
    /// image channels C. 0 (the default) takes C from the column's dimensions.
    /// </summary>
    public int ImageChannels;

    /// <summary>For a flat float-vector input column: the image height H. 0 (the default) takes it from the column's dimensions.</summary>
    public int ImageHeight;

    /// <summary>For a flat float-vector input column: the image width W. 0 (the default) takes it from the column's dimensions.</summary>
    public int ImageWidth;

    /// <summary>
    /// Optional diagnostic column (<see cref="long"/>): the victim's label of each purified image, as the purifier
    /// computed it (before any 8-bit rounding). <see langword="null"/> (the default) adds no column.
    /// </summary>
    public string? PurifiedLabelColumnName;

    /// <summary>
    /// Optional diagnostic column (<see cref="bool"/>): whether the output came from a decision boundary of the row's DIP
    /// trace: a cross-boundary pair was used, or (<see cref="PurifierSelection.Vote"/>) the trace marked the row as
    /// adversarial and the vote chose a snapshot. False: the last N snapshots were stitched instead (no pair, or the row
    /// passed the gate).
    /// <see langword="null"/> (the default) adds no column.
    /// </summary>
    public string? CrossingsFoundColumnName;

    /// <summary>
    /// Options that purify row r exactly as a <see cref="DecisionSpacePurifier"/> with <paramref name="settings"/> purifies
    /// image r: the same DIP trace (preset, T, M, seed, input noise, output averaging), selection, τ, w, k, N, η, G, K and batch size. The other fields keep their defaults.
    /// </summary>
    /// <param name="settings">The core settings; their network must be one of the presets.</param>
    /// <param name="modelPath">The victim's ONNX file.</param>
    /// <param name="outputColumnName">The purified column.</param>
    /// <param name="inputColumnName">The image column; null purifies <paramref name="outputColumnName"/> in place.</param>
    /// <exception cref="ArgumentException">The settings' network is not a preset (DipPurify names its network by preset).</exception>
    public static DipPurifyOptions FromPurifierOptions(PurifierOptions settings, string modelPath, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string preset = DipNetworkConfig.PresetNameOf(settings.Trace.Network) ?? throw new ArgumentException(
            $"DipPurify names its DIP network by preset ({string.Join(", ", DipNetworkConfig.PresetNames)}); settings.Trace.Network is a custom network.",
            nameof(settings));
        return new DipPurifyOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelPath,
            Preset = preset,
            Iterations = settings.Trace.Iterations,
            Snapshots = settings.Trace.Snapshots,
            Seed = settings.Trace.Seed,
            InputNoiseStd = settings.Trace.InputNoiseStd,
            OutputAveraging = settings.Trace.OutputAveraging,
            NoiseFreeSnapshots = settings.Trace.NoiseFreeSnapshots,
            Selection = settings.Selection,
            GateThreshold = settings.GateThreshold,
            GateFrom = settings.GateFrom,
            GateTo = settings.GateTo,
            PoorFit = settings.PoorFit,
            LateChangeFit = settings.LateChangeFit,
            AmbiguousMargin = settings.AmbiguousMargin,
            OwnLabelWeight = settings.OwnLabelWeight,
            AmbiguousFit = settings.AmbiguousFit,
            Seeds = settings.Seeds,
            MarkQuorum = settings.MarkQuorum,
            Horizon = settings.Horizon,
            SettledFit = settings.SettledFit,
            MarkedHorizon = settings.MarkedHorizon,
            SsimThreshold = settings.SsimThreshold,
            WarmUp = settings.WarmUp,
            StableRun = settings.StableRun,
            Pairs = settings.Pairs,
            Eta = settings.Eta,
            GridSections = settings.GridSections,
            BatchSize = settings.BatchSize,
            RefillBatches = settings.RefillBatches,
        };
    }

    /// <summary>The input column's name: <see cref="InputColumnName"/>, or <see cref="OutputColumnName"/> when that is null.</summary>
    internal string SourceColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>The core purifier settings these options describe (not validated).</summary>
    internal PurifierOptions ToPurifierOptions() => new()
    {
        Trace = new DipTraceOptions
        {
            Network = DipNetworkConfig.FromName(Preset),
            Iterations = Iterations,
            Snapshots = Snapshots,
            Seed = Seed,
            InputNoiseStd = InputNoiseStd,
            OutputAveraging = OutputAveraging,
            NoiseFreeSnapshots = NoiseFreeSnapshots,
        },
        Selection = Selection,
        GateThreshold = GateThreshold,
        GateFrom = GateFrom,
        GateTo = GateTo,
        PoorFit = PoorFit,
        LateChangeFit = LateChangeFit,
        AmbiguousMargin = AmbiguousMargin,
        OwnLabelWeight = OwnLabelWeight,
        AmbiguousFit = AmbiguousFit,
        Seeds = Seeds,
        MarkQuorum = MarkQuorum,
        Horizon = Horizon,
        SettledFit = SettledFit,
        MarkedHorizon = MarkedHorizon,
        SsimThreshold = SsimThreshold,
        WarmUp = WarmUp,
        StableRun = StableRun,
        Pairs = Pairs,
        Eta = Eta,
        GridSections = GridSections,
        BatchSize = BatchSize,
        RefillBatches = RefillBatches,
    };

    /// <summary>A copy, so that later changes to the caller's object do not reach a built transformer.</summary>
    internal DipPurifyOptions Clone()
    {
        var copy = (DipPurifyOptions)MemberwiseClone();
        copy.Victim = Victim with { Mean = (float[]?)Victim.Mean?.Clone(), Std = (float[]?)Victim.Std?.Clone() };
        return copy;
    }

    /// <summary>Checks the columns and every setting; each message names the setting.</summary>
    /// <param name="paramName">The parameter reported in the exception.</param>
    /// <returns>The validated defense.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    internal DefenseChoice Validate(string paramName)
    {
        void Fail(string message) => throw new ArgumentException($"Invalid {nameof(DipPurifyOptions)}: {message}", paramName);

        if (string.IsNullOrWhiteSpace(OutputColumnName)) Fail($"{nameof(OutputColumnName)} must name the output column.");
        if (InputColumnName is not null && string.IsNullOrWhiteSpace(InputColumnName)) Fail($"{nameof(InputColumnName)} must be null (use the output name) or a column name.");
        if (string.IsNullOrWhiteSpace(ModelPath)) Fail($"{nameof(ModelPath)} must name the victim's ONNX file.");
        if (Victim is null) Fail($"{nameof(Victim)} must not be null.");
        if (string.IsNullOrWhiteSpace(Device)) Fail($"{nameof(Device)} must be cpu, cuda or cuda:N.");
        if (!float.IsFinite(ScaleImage) || ScaleImage == 0) Fail($"{nameof(ScaleImage)} must be finite and nonzero; got {ScaleImage}.");
        if (!float.IsFinite(OffsetImage)) Fail($"{nameof(OffsetImage)} must be finite; got {OffsetImage}.");
        if (ImageChannels < 0 || ImageHeight < 0 || ImageWidth < 0)
            Fail($"{nameof(ImageChannels)}, {nameof(ImageHeight)} and {nameof(ImageWidth)} must be 0 (from the column) or positive; got {ImageChannels}, {ImageHeight}, {ImageWidth}.");
        var diagnostics = new[] { PurifiedLabelColumnName, CrossingsFoundColumnName }.Where(n => n is not null).ToArray();
        if (diagnostics.Any(string.IsNullOrWhiteSpace)) Fail("a diagnostic column name must be null (no column) or a column name.");
        var outputs = diagnostics.Append(OutputColumnName).ToArray();
        if (outputs.Distinct().Count() != outputs.Length) Fail($"the output columns must have distinct names; got {string.Join(", ", outputs.Select(o => $"'{o}'"))}.");
        if (!DefenseChoice.Names.Contains(Defense)) Fail($"{nameof(Defense)} must be one of {string.Join(", ", DefenseChoice.Names)}; got '{Defense}'.");
        if (CrossingsFoundColumnName is not null && Defense != DefenseChoice.DecisionDip)
            Fail($"{nameof(CrossingsFoundColumnName)} is a diagnostic of the decision-space DIP purifier; {nameof(Defense)} is '{Defense}' (leave the column null).");

        PurifierOptions purifier;
        try
        {
            purifier = ToPurifierOptions();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Invalid {nameof(DipPurifyOptions)}: {nameof(Preset)}: {ArgumentErrors.MessageOf(ex)}", paramName, ex);
        }
        var defense = new DefenseChoice
        {
            Name = Defense,
            DecisionDipOptions = purifier,
            DipDefendOptions = new Baselines.DipDefendOptions { Iterations = DipDefendIterations, Seed = Seed, BatchSize = BatchSize },
            JpegOptions = new Baselines.JpegCompressionOptions { Quality = JpegQuality },
            BitDepthOptions = new Baselines.BitDepthReductionOptions { Bits = Bits },
            MedianOptions = new Baselines.MedianSmoothingOptions { WindowSize = MedianWindow },
        };
        defense.Validate(paramName);
        return defense;
    }
}
