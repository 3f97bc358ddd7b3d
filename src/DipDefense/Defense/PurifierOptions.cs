using System.Text.Json.Serialization;
using DipDefense.Dip;

namespace DipDefense.Defense;

/// <summary>
/// Settings of the decision-space DIP purifier (<see cref="DecisionSpacePurifier"/>, docs/method.md).
/// </summary>
/// <remarks>
/// The paper's values of τ, w, N, η and G were lost from its text (Section 4.1 sets them; the symbols are
/// gone), and the paper reports the method as insensitive to them (76–79% average accuracy over its grid,
/// Fig. 6/7). The defaults here were chosen by the calibration sweep of docs/results/calibration.md (ResNet-20
/// victim, shared CIFAR-10 images, clean, PGD, C&amp;W and DDN sets); the DIP settings (<see cref="Trace"/>) are the paper's.
/// </remarks>
public sealed record PurifierOptions
{
    /// <summary>
    /// The DIP trace (step 1): the paper's CIFAR-10 settings by default, i.e. the medium network, T = 1000
    /// iterations, M = 200 snapshots, Adam learning rate 0.01, seed 0. Image i of a
    /// <see cref="DecisionSpacePurifier.Purify"/> call uses DIP seed <c>Trace.Seed + i</c> (its further traces, <see cref="Seeds"/>: <see cref="TraceSeed"/>).
    /// </summary>
    public DipTraceOptions Trace { get; init; } = new();

    /// <summary>
    /// Perceptual quality threshold τ of the cross-boundary detection (Eq. 3): snapshot i qualifies only when
    /// SSIM(x_i, x′) ≥ τ. Default 0.7 (calibrated: 0.5 and 0.7 tie, 0.9 loses PGD images). In [−1, 1].
    /// </summary>
    public double SsimThreshold { get; init; } = 0.7;

    /// <summary>
    /// Warm-up w of the cross-boundary detection (Eq. 3), counted in snapshots (not iterations): snapshot
    /// indices i &lt; w are never cross-boundary, and under <see cref="PurifierSelection.Vote"/> they neither mark an input nor
    /// vote. Default 30, i.e. 150 of T = 1000 iterations (calibrated for the vote with the input noise σ_z = 1/30;
    /// docs/results/calibration.md). In [0, round(<see cref="Horizon"/>·M) − 2].
    /// </summary>
    public int WarmUp { get; init; } = 30;

    /// <summary>
    /// k, an optional stricter Eq. 3 (docs/method.md#deviations-from-the-paper): a crossing i counts only when the label y_i it
    /// leaves was also the label of the k − 1 snapshots before it, so that a label held for a single snapshot
    /// (the oscillation of a trace that already reproduces its input) does not count. Default 1, the paper's
    /// Eq. 3 (calibrated: k = 2 gained nothing). In [1, M − 1].
    /// </summary>
    public int StableRun { get; init; } = 1;

    /// <summary>
    /// N, the number of on-boundary images stitched: the last N cross-boundary pairs along the trace, or
    /// the last N snapshots when no pair is detected (step 4). Default 1 (calibrated: N = 1 beat 2, 3 and 5 by
    /// 1–3 points of mean accuracy). In [1, M].
    /// </summary>
    public int Pairs { get; init; } = 1;

    /// <summary>
    /// Step η of the on-manifold push (Eq. 6), x_m = clip(x_b + η·(x_b − x′), 0, 1); the fallback images
    /// (no pair detected) always use η = 0. Default 0.1 (calibrated: 0.05–0.2 within one image, 0.3 and
    /// η = 0 worse). Finite and ≥ 0.
    /// </summary>
    public double Eta { get; init; } = 0.1;

    /// <summary>
    /// Sections G of the grid of the on-boundary search (Eq. 4–5): λ is searched on 1/G, 2/G, …, 1, so λ*
    /// is within 1/G of the boundary crossing. Default 10 (the paper's value was lost; to be calibrated by
    /// a sweep). At least 1.
    /// </summary>
    public int GridSections { get; init; } = 10;

    /// <summary>
    /// How the output is chosen (docs/method.md, "Selection modes"): <see cref="PurifierSelection.Paper"/> runs Eq. 3–7 on
    /// every input; <see cref="PurifierSelection.SupportGate"/> first lets an input through whose own label its trace
    /// supports (see <see cref="GateThreshold"/>); <see cref="PurifierSelection.Vote"/> marks inputs as adversarial from
    /// their trace and gives a marked one the class its later snapshots vote for. Default <see cref="PurifierSelection.Vote"/>
    /// (calibrated: the best mean accuracy over clean, PGD, C&amp;W and DDN on the choosing images; docs/results/calibration.md).
    /// </summary>
    public PurifierSelection Selection { get; init; } = PurifierSelection.Vote;

    /// <summary>
    /// θ of the gate: under <see cref="PurifierSelection.SupportGate"/> an input x′ passes through (its output is its last
    /// snapshot, as the paper's fallback) when the mean over the gate window (<see cref="GateFrom"/>, <see cref="GateTo"/>)
    /// of s_i = p_{y′}(x_i), the victim's probability of the input's own label y′, is at least θ; under
    /// <see cref="PurifierSelection.Vote"/> such an input is not marked by a label change after w (only by a last snapshot
    /// not labelled y′). In [0, 1]. Default 1, with <see cref="AmbiguousMargin"/> 30 and <see cref="AmbiguousFit"/> 0.975:
    /// every label change after w marks an input, and the margin gives an ambiguous one its own label back (the clean
    /// guard, docs/results/calibration.md, sections 12–13). Without the margin 0.7 measured best with <see cref="Seeds"/> = 2
    /// (section 9) and 0.6 with one trace (section 7). Not used by <see cref="PurifierSelection.Paper"/>.
    /// </summary>
    public double GateThreshold { get; init; } = 1;

    /// <summary>
    /// φ_p, the poor-fit threshold of <see cref="PurifierSelection.Vote"/> (beyond the paper; docs/method.md, "Selection
    /// modes"): an input whose last snapshot has SSIM below φ_p to it (the final fit f) is marked as adversarial, because the
    /// regularised DIP prior did not reproduce it. In [0, 1]; 0 turns it off. Default 0.985 (calibrated on CIFAR-10 with
    /// σ_z = 1/30 and T = 1000, chosen on images 0–249 and confirmed on 378–499 with <see cref="AmbiguousMargin"/> 30: an
    /// absolute SSIM level, so recalibrate it for other data: docs/results/calibration.md, sections 7, 19 and 21). Not used
    /// by the other modes.
    /// </summary>
    public double PoorFit { get; init; } = 0.985;

    /// <summary>The value of <see cref="PoorFit"/> that turns it off: 0 (no final fit is below it).</summary>
    public const double PoorFitOff = 0;

    /// <summary>The value of <see cref="LateChangeFit"/> that turns it off: 1 (a late label change marks whatever the fit).</summary>
    public const double LateChangeFitOff = 1;

    /// <summary>
    /// φ_l, the late-change fit of <see cref="PurifierSelection.Vote"/> (beyond the paper): a label change after w with gate
    /// support below θ marks an input only when its final fit f is below φ_l, so that an input the prior reproduces well is
    /// not marked by the wobble of its mid-trace labels. In [0, 1]; 1 (the default) puts no condition. Not used by the
    /// other modes.
    /// </summary>
    public double LateChangeFit { get; init; } = 1;

    /// <summary>The value of <see cref="AmbiguousMargin"/> that turns it off: 0 (no input's margin is below it).</summary>
    public const double AmbiguousMarginOff = 0;

    /// <summary>
    /// μ, the ambiguous margin of <see cref="PurifierSelection.Vote"/> (beyond the paper; docs/method.md, "Selection modes"):
    /// a marked input whose victim logit margin m = z_{y′}(x′) − max_{k ≠ y′} z_k(x′) is below μ is ambiguous, and its own
    /// label y′ takes part in its vote with the weight <see cref="OwnLabelWeight"/>, so a clean input the trace marked can
    /// get its label back. An input above μ (the victim is as sure of y′ as of a maximum-confidence attack) votes without y′.
    /// Default 30 with <see cref="GateThreshold"/> 1, <see cref="OwnLabelWeight"/> 0.35 and <see cref="AmbiguousFit"/> 0.975
    /// (the clean guard): chosen with <see cref="PoorFit"/> 0.985 on images 0–249 and confirmed on 378–499, where it kept 109
    /// of the victim's 110 clean images against μ 20's 105 (docs/results/calibration.md, sections 19 and 21). The guard was
    /// introduced at μ 20, which raised clean accuracy 0.808 → 0.880 against θ 0.7 without it, at a cost on a
    /// low-confidence attack: FGSM ε = 8/255 0.468 → 0.416 (sections 12–13; without φ_a the margin gave FGSM's adversarial
    /// label back far more often: section 8). In logits, so
    /// victim-specific: calibrate it with <c>dipdefense calibrate</c> for another victim. ≥ 0 (+∞ allowed);
    /// <see cref="AmbiguousMarginOff"/> turns it off. Not used by the other modes.
    /// </summary>
    public double AmbiguousMargin { get; init; } = 30;

    /// <summary>
    /// λ, the weight of the input's own label y′ in the vote of an ambiguous input (see <see cref="AmbiguousMargin"/>): y′
    /// wins when λ·Σ_{i ≥ w} p_{y′}(x_i) is at least every other class's sum. Finite and ≥ 0; 0 leaves y′ out, as for an
    /// input above the margin. Default 0.35 (measured with <see cref="AmbiguousMargin"/> 30 and 20). Not used by the other modes.
    /// </summary>
    public double OwnLabelWeight { get; init; } = 0.35;

    /// <summary>The value of <see cref="AmbiguousFit"/> that puts no condition on the fit: 0.</summary>
    public const double AmbiguousFitOff = 0;

    /// <summary>
    /// φ_a, the ambiguous fit of <see cref="PurifierSelection.Vote"/> (beyond the paper; docs/method.md, "Selection modes"):
    /// a marked input below <see cref="AmbiguousMargin"/> is ambiguous only when the mean final fit f of its K traces (the
    /// SSIM of each trace's last snapshot to the input) is at least φ_a. A low-confidence attack whose noise the prior does
    /// not reproduce (FGSM's one step spreads ±ε over every pixel) keeps f low and votes without y′; a clean input the fit
    /// reproduces keeps its chance of getting y′ back. In [0, 1]; <see cref="AmbiguousFitOff"/> (0) puts no condition.
    /// Default 0.975, chosen with the margin (docs/results/calibration.md, section 12); an SSIM level of T = 1000 and
    /// σ_z = 1/30 on CIFAR-10, so recalibrate it for other data. Not used by the other modes, nor when
    /// <see cref="AmbiguousMargin"/> is off.
    /// </summary>
    public double AmbiguousFit { get; init; } = 0.975;

    /// <summary>
    /// K, the number of independent DIP traces per image (beyond the paper; docs/method.md, "Seed ensemble"): trace k of
    /// image i of a <see cref="DecisionSpacePurifier.Purify"/> call uses DIP seed <c>Trace.Seed + SeedStride·k + i</c>
    /// (<see cref="TraceSeed"/>). Under <see cref="PurifierSelection.Vote"/> an input is marked only when every one of its K
    /// traces marks it (or <see cref="MarkQuorum"/> of them), a marked input's vote sums the probabilities of the snapshots of all K traces, and its output is the
    /// snapshot of any trace with the largest p_c; an unmarked input's output comes from its first trace that does not mark it. K traces cost K
    /// times the DIP fit. Default 2 (calibrated with <see cref="GateThreshold"/> 0.7: on unseen images clean, PGD and FGSM gained,
    /// C&amp;W and DDN held; docs/results/calibration.md, section 9); 1 is the paper's single trace at half the cost. In
    /// [1, <see cref="MaxSeeds"/>]. A setting of the vote only: <see cref="PurifierSelection.Paper"/> and
    /// <see cref="PurifierSelection.SupportGate"/> read one trace whatever K is (<see cref="TracesPerImage"/>).
    /// </summary>
    public int Seeds { get; init; } = 2;

    /// <summary>The value of <see cref="MarkQuorum"/> that asks every one of the K traces to mark an input: 0.</summary>
    public const int MarkQuorumAll = 0;

    /// <summary>
    /// q, the marking quorum of the seed ensemble (beyond the paper; docs/method.md, "Seed ensemble"): under
    /// <see cref="PurifierSelection.Vote"/> an input is marked when at least q of its K = <see cref="Seeds"/> traces mark it.
    /// <see cref="MarkQuorumAll"/> (0, the default) asks all K, as q = K does; q = 1 marks an input that any trace marks.
    /// A smaller q marks more inputs: attacked ones are voted on more often, clean ones are lost more often
    /// (docs/results/calibration.md, section 11). In [0, <see cref="Seeds"/>]. Not used by the other modes.
    /// </summary>
    public int MarkQuorum { get; init; } = MarkQuorumAll;

    /// <summary>The number of traces that must mark an input: <see cref="MarkQuorum"/>, or all <see cref="TracesPerImage"/> when it is <see cref="MarkQuorumAll"/>.</summary>
    [JsonIgnore]   // derived from MarkQuorum and Seeds, not a setting of its own
    public int MarksNeeded => MarkQuorum == MarkQuorumAll ? TracesPerImage : Math.Min(MarkQuorum, TracesPerImage);

    /// <summary>The DIP traces each image gets: <see cref="Seeds"/> under <see cref="PurifierSelection.Vote"/>, 1 under the other modes.</summary>
    [JsonIgnore]   // derived from Selection and Seeds, not a setting of its own
    public int TracesPerImage => Selection == PurifierSelection.Vote ? Seeds : 1;

    /// <summary>The largest <see cref="Seeds"/>: 16.</summary>
    public const int MaxSeeds = 16;

    /// <summary>The distance between the seeds of an image's traces (<see cref="TraceSeed"/>): 1000.</summary>
    public const long SeedStride = 1000;

    /// <summary>The DIP seed of trace <paramref name="trace"/> (0-based, below <see cref="TracesPerImage"/>) of image <paramref name="image"/> of a call: <c>Trace.Seed + SeedStride·trace + image</c>.</summary>
    public long TraceSeed(int trace, long image) => unchecked(Trace.Seed + SeedStride * trace + image);

    /// <summary>
    /// The seeds of the <see cref="TracesPerImage"/>·<paramref name="count"/> networks that fit images
    /// <paramref name="firstImage"/>, … of a call in one <see cref="DipTraceRunner.Run"/>, trace-major: entry
    /// k·count + b is <see cref="TraceSeed"/>(k, firstImage + b). The purifier runs a chunk's traces this way.
    /// </summary>
    public long[] TraceSeeds(long firstImage, int count) =>
        [.. Enumerable.Range(0, TracesPerImage).SelectMany(k => Enumerable.Range(0, count).Select(b => TraceSeed(k, firstImage + b)))];

    /// <summary>
    /// Start of the support gate's window, as a share of the trace: the window is snapshots [round(from·M), round(to·M)),
    /// at least one snapshot. Default 0.1 (snapshot 20 of M = 200). In [0, <see cref="GateTo"/>).
    /// </summary>
    public double GateFrom { get; init; } = 0.1;

    /// <summary>End of the support gate's window, as a share of the trace. Default 0.3 (snapshot 60 of M = 200). In (<see cref="GateFrom"/>, 1].</summary>
    public double GateTo { get; init; } = 0.3;

    /// <summary>
    /// H, the share of the trace the reconstruction reads (beyond the paper; docs/method.md, "Horizon"): snapshots
    /// [0, round(H·M)) only, so the DIP fit stops after iteration round(H·M)·T/M and costs H of a full trace; the last
    /// snapshot read plays the role of the last snapshot in every rule. 1 reads the whole trace, as the paper. In (0, 1];
    /// the horizon must hold w + 2 snapshots and, with a gate, the gate window. Default 1, the whole trace: H = 0.5 halves
    /// the time, but on the 250 confirming images per set it lost 2, 5 and 6 images of clean, C&amp;W and DDN, more than
    /// the one image per set an early stop may cost to be on by default (docs/results/calibration.md).
    /// </summary>
    public double Horizon { get; init; } = 1;

    /// <summary>The value of <see cref="SettledFit"/> that stops no trace early: 0.</summary>
    public const double SettledFitOff = 0;

    /// <summary>
    /// φ_s, the settled fit: an early stop per trace of <see cref="PurifierSelection.Vote"/> (beyond the paper; docs/method.md,
    /// "Early stop"; the other modes, the paper's steps among them, run every trace to the end). A trace stops after
    /// snapshot s once s is past w and the gate window (<see cref="FirstSettledSnapshot"/>), every snapshot from w to s
    /// carries the input's label y′, and s fits the input with SSIM ≥ φ_s; its later snapshots repeat s, and under
    /// <see cref="PurifierSelection.Vote"/> it does not mark its input (with φ_s ≥ <see cref="PoorFit"/> it could not
    /// anyway: it ends on y′ with a fit above φ_p). The reconstruction applies the same cut to a full trace (a calibration's
    /// cached one), so a stopped trace and a cut one give the same result. Default 0.985, the default <see cref="PoorFit"/>:
    /// values below φ_p lose the PGD images that φ_p marks (docs/results/calibration.md, sections 13 and 18); at 0.98 with
    /// φ_p 0.98 it changed no image of clean, PGD, C&amp;W, DDN or FGSM but one clean image (gained) on the 250 confirming
    /// CIFAR-10 images per set and saved 27% of the fit on clean inputs (section 13). An SSIM level of T = 1000 and
    /// σ_z = 1/30 on CIFAR-10.
    /// <see cref="SettledFitOff"/> (0) runs every trace to the end, as the paper; otherwise in (0, 1].
    /// </summary>
    public double SettledFit { get; init; } = 0.985;

    /// <summary>
    /// H_m, the marked horizon: an early stop per trace of <see cref="PurifierSelection.Vote"/> (beyond the paper;
    /// docs/method.md, "Early stop"). A trace that has marked its input for good by snapshot round(H_m·M) − 1 (a label other
    /// than y′ after w, with the gate's support below θ) stops there, and the rules read it up to there: its vote, its
    /// output snapshot and its final fit. Only the traces of an input at or above <see cref="AmbiguousMargin"/> stop so
    /// (below it, its own label may vote, which reads the final fit). The cut comes no earlier than
    /// <see cref="FirstSettledSnapshot"/> (the gate window must be complete) and no later than the horizon. Default 0.4
    /// (snapshot 79 of 200): on the 250 confirming CIFAR-10 images per set it changed no image of any set and halved the
    /// fit of PGD inputs (trace share 0.482 with the settled fit; docs/results/calibration.md, section 13). In (0, 1];
    /// 1 runs marked traces to the end. With <see cref="LateChangeFit"/> below 1 the marking also asks for the final
    /// fit, which a cut trace reads at the cut.
    /// </summary>
    public double MarkedHorizon { get; init; } = 0.4;

    /// <summary>The snapshot after which <see cref="MarkedHorizon"/> stops a marked trace of <paramref name="snapshots"/>
    /// snapshots: round(H_m·M) − 1, not before <see cref="FirstSettledSnapshot"/> nor after the horizon; −1 when it is
    /// off (H_m = 1, or a mode other than the vote).</summary>
    public int MarkedCut(int snapshots) =>
        MarkedHorizon >= 1 || Selection != PurifierSelection.Vote ? -1
            : Math.Min(Math.Max((int)Math.Round(MarkedHorizon * snapshots) - 1, FirstSettledSnapshot(snapshots)), HorizonSnapshots(snapshots) - 1);

    /// <summary>Whether <see cref="SettledFit"/> stops traces: it is on and the selection is the vote.</summary>
    [JsonIgnore]   // derived from SettledFit and Selection, not a setting of its own
    public bool SettledStopOn => SettledFit != SettledFitOff && Selection == PurifierSelection.Vote;

    /// <summary>Whether a trace of <paramref name="snapshots"/> snapshots may end before the horizon by one of the two stops per
    /// trace (<see cref="SettledFit"/>, <see cref="MarkedHorizon"/>); when not, every trace is read to the horizon.</summary>
    public bool EarlyStopsOn(int snapshots) => SettledStopOn || MarkedCut(snapshots) >= 0;

    /// <summary>The first snapshot after which <see cref="SettledFit"/> may stop a trace of <paramref name="snapshots"/>
    /// snapshots: w, or the last snapshot of the gate window when that is later (the gate reads the whole window).</summary>
    public int FirstSettledSnapshot(int snapshots) =>
        Math.Max(WarmUp, Selection == PurifierSelection.Paper ? 0 : GateWindow(snapshots).End - 1);

    /// <summary>The number of snapshots the reconstruction reads out of <paramref name="snapshots"/>: round(H·M), at least 2.</summary>
    public int HorizonSnapshots(int snapshots) => Math.Clamp((int)Math.Round(Horizon * snapshots), Math.Min(2, snapshots), snapshots);

    /// <summary>The early stop of a trace of <paramref name="snapshots"/> snapshots at the horizon; null when the whole trace is read.</summary>
    public SnapshotLimit? HorizonStop(int snapshots)
    {
        int read = HorizonSnapshots(snapshots);
        return read < snapshots ? new SnapshotLimit(read - 1) : null;
    }

    /// <summary>The support gate's window in snapshot indices [start, end) for M snapshots: at least one snapshot.</summary>
    public (int Start, int End) GateWindow(int snapshots)
    {
        int start = Math.Min((int)Math.Round(GateFrom * snapshots), snapshots - 1);
        int end = Math.Clamp((int)Math.Round(GateTo * snapshots), start + 1, snapshots);
        return (start, end);
    }

    /// <summary>
    /// Images purified together by one batched DIP trace (B). Default 16. Results do not depend on it
    /// (image i always uses seed <c>Trace.Seed + i</c>); it trades memory for speed. At least 1.
    /// </summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Batches of images one DIP fit works through while keeping <see cref="BatchSize"/> images' networks
    /// (K·<see cref="BatchSize"/> under the vote) running: whenever a trace ends (an early stop or the horizon), the next
    /// image's network takes its place, so a batch no longer lasts as long as its longest trace (docs/performance.md,
    /// "Refilling the batch"). 1 fits each batch on its own. Speed and memory only: results do not depend on it (each
    /// trace depends on its image and seed alone), and the snapshots of RefillBatches·BatchSize images are held at once.
    /// Default 4. At least 1.
    /// </summary>
    public int RefillBatches { get; init; } = 4;

    /// <summary>Checks every setting, including <see cref="Trace"/>.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        void Fail(string message) => throw new ArgumentException($"Invalid PurifierOptions: {message}", paramName);

        if (Trace is null) Fail($"{nameof(Trace)} must not be null.");
        try
        {
            Trace!.Validate(paramName);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Invalid PurifierOptions: {nameof(Trace)}: {ArgumentErrors.MessageOf(ex)}", paramName, ex);
        }

        int snapshots = Trace.Snapshots;
        if (!(SsimThreshold >= -1 && SsimThreshold <= 1)) Fail($"{nameof(SsimThreshold)} must lie in [-1, 1]; got {SsimThreshold}.");
        if (!(Horizon > 0 && Horizon <= 1)) Fail($"{nameof(Horizon)} must lie in (0, 1] (a share of the trace); got {Horizon}.");
        int read = HorizonSnapshots(snapshots);
        if (WarmUp < 0 || WarmUp > read - 2)
            Fail(read == snapshots
                ? $"{nameof(WarmUp)} must lie in [0, Trace.Snapshots - 2] = [0, {snapshots - 2}] (a pair i, i + 1 with i ≥ w must exist); got {WarmUp}."
                : $"{nameof(WarmUp)} must lie in [0, round(Horizon · Trace.Snapshots) - 2] = [0, {read - 2}] (a pair i, i + 1 with i ≥ w must exist before the horizon); got {WarmUp}.");
        if (StableRun < 1 || StableRun > snapshots - 1) Fail($"{nameof(StableRun)} must lie in [1, Trace.Snapshots - 1] = [1, {snapshots - 1}]; got {StableRun}.");
        if (Pairs < 1 || Pairs > snapshots) Fail($"{nameof(Pairs)} must lie in [1, Trace.Snapshots] = [1, {snapshots}]; got {Pairs}.");
        if (!(Eta >= 0) || double.IsInfinity(Eta)) Fail($"{nameof(Eta)} must be finite and non-negative; got {Eta}.");
        if (GridSections < 1) Fail($"{nameof(GridSections)} must be at least 1; got {GridSections}.");
        if (!Enum.IsDefined(Selection)) Fail($"{nameof(Selection)} has the undefined value {(int)Selection}.");
        if (!(GateThreshold >= 0 && GateThreshold <= 1)) Fail($"{nameof(GateThreshold)} must lie in [0, 1]; got {GateThreshold}.");
        if (!(PoorFit >= 0 && PoorFit <= 1)) Fail($"{nameof(PoorFit)} must lie in [0, 1] (an SSIM; 0: off); got {PoorFit}.");
        if (!(LateChangeFit >= 0 && LateChangeFit <= 1)) Fail($"{nameof(LateChangeFit)} must lie in [0, 1] (an SSIM; 1: no condition); got {LateChangeFit}.");
        if (!(AmbiguousMargin >= 0)) Fail($"{nameof(AmbiguousMargin)} must be non-negative (a logit margin; 0: off); got {AmbiguousMargin}.");
        if (!(AmbiguousFit >= 0 && AmbiguousFit <= 1)) Fail($"{nameof(AmbiguousFit)} must lie in [0, 1] (an SSIM; 0: no condition); got {AmbiguousFit}.");
        if (!(OwnLabelWeight >= 0) || double.IsInfinity(OwnLabelWeight)) Fail($"{nameof(OwnLabelWeight)} must be finite and non-negative; got {OwnLabelWeight}.");
        if (!(GateFrom >= 0 && GateFrom < GateTo && GateTo <= 1))
            Fail($"the gate window ({nameof(GateFrom)}, {nameof(GateTo)}) must satisfy 0 ≤ from < to ≤ 1 (shares of the trace); got ({GateFrom}, {GateTo}).");
        if (Selection != PurifierSelection.Paper && GateWindow(snapshots).End > read)
            Fail($"the gate window ({nameof(GateFrom)}, {nameof(GateTo)}) = ({GateFrom}, {GateTo}) must end within the {nameof(Horizon)} {Horizon}.");
        if (Seeds < 1 || Seeds > MaxSeeds) Fail($"{nameof(Seeds)} must lie in [1, {MaxSeeds}]; got {Seeds}.");
        if (MarkQuorum < 0 || MarkQuorum > Seeds)
            Fail($"{nameof(MarkQuorum)} must lie in [0, {nameof(Seeds)}] = [0, {Seeds}] (traces that must mark an input; 0: all); got {MarkQuorum}.");
        if (!(MarkedHorizon > 0 && MarkedHorizon <= 1))
            Fail($"{nameof(MarkedHorizon)} must lie in (0, 1] (a share of the trace; 1: off); got {MarkedHorizon}.");
        if (!(SettledFit >= 0 && SettledFit <= 1))
            Fail($"{nameof(SettledFit)} must lie in [0, 1] (an SSIM; {SettledFitOff}: off); got {SettledFit}.");
        if (BatchSize < 1) Fail($"{nameof(BatchSize)} must be at least 1; got {BatchSize}.");
        if (RefillBatches < 1) Fail($"{nameof(RefillBatches)} must be at least 1; got {RefillBatches}.");
        if ((long)BatchSize * RefillBatches * TracesPerImage > int.MaxValue)
            Fail($"{nameof(BatchSize)} × {nameof(RefillBatches)} × K ({BatchSize} × {RefillBatches} × {TracesPerImage}) is too large.");
    }
}
