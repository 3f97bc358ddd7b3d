using System.Diagnostics;
using DipDefense.Metrics;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// Steps 2–6 of the method (docs/method.md): from given DIP traces to purified images. Maps every snapshot
/// to the victim's decision space, detects cross-boundary pairs (Eq. 3), finds on-boundary images by grid
/// search (Eq. 4–5), keeps the last N, pushes them away from the input (Eq. 6) and averages them (Eq. 7).
/// </summary>
/// <remarks>
/// <para>
/// The B traces of a call are processed together and the victim is queried in three batches: all B·M
/// snapshots (decision mapping), the grid points of all detected pairs of all B traces (boundary search;
/// the paper describes one batched query per pair, batching further changes nothing but speed), and the B
/// outputs (final labels). Each image's result depends only on its own trace and input.
/// </para>
/// <para>
/// The grid search queries λ = 1/G, …, (G − 1)/G only: λ = 1 gives x_{i+1} itself, whose label y_{i+1} ≠ y_i
/// is already known, so a pair costs G − 1 queries. Queries per call: B·M + B (the snapshots and the inputs) + P·(G − 1) + B for P used pairs.
/// </para>
/// <para>
/// The decision mapping (step 2) does not depend on τ, w, N, η or G: <see cref="Map"/> computes it alone, and
/// <see cref="Reconstruct(Tensor, Tensor, DecisionMapping, CancellationToken)"/> runs steps 3–6 with it, so a
/// sweep over settings maps each trace once (<see cref="PurifierSweep"/>).
/// </para>
/// <para>No gradients are recorded; all tensors stay on the traces' device, where the victim receives them.</para>
/// </remarks>
public sealed class DecisionSpaceReconstruction
{
    /// <summary>Creates the reconstruction for a victim.</summary>
    /// <param name="victim">The classifier whose decisions are analysed; only its labels are used.</param>
    /// <param name="options">τ, w, N, η and G (the <see cref="PurifierOptions.Trace"/> and batch settings are not used here); null: the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="victim"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DecisionSpaceReconstruction(IClassifier victim, PurifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(victim);
        options ??= new PurifierOptions();
        options.Validate(nameof(options));
        Victim = victim;
        Options = options;
    }

    /// <summary>The victim classifier.</summary>
    public IClassifier Victim { get; }

    /// <summary>The validated options.</summary>
    public PurifierOptions Options { get; }

    /// <summary>Reconstructs B images from one trace each: for options that read one trace per image (<see cref="PurifierOptions.TracesPerImage"/> = 1,
    /// i.e. <see cref="PurifierOptions.Seeds"/> = 1 or a mode other than the vote); the default vote reads two, through
    /// <see cref="Reconstruct(IReadOnlyList{Tensor}, Tensor, IReadOnlyList{DecisionMapping}?, CancellationToken)"/>.</summary>
    /// <param name="traces">Snapshots float32 [B, M, C, H, W] in [0, 1], earliest first; H, W ≥ 11.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <param name="cancellationToken">Checked between stages.</param>
    /// <returns>The reconstructed images [B, C, H, W] and one diagnostics entry per image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, rank, shape, device or range, or the options read more than one trace per image.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurificationResult Reconstruct(Tensor traces, Tensor inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traces);
        return ReconstructChecked([traces], inputs, null, null, cancellationToken);
    }

    /// <summary>Reconstructs one image from its trace (options that read one trace per image, as <see cref="Reconstruct(Tensor, Tensor, CancellationToken)"/>).</summary>
    /// <param name="snapshots">Snapshots float32 [M, C, H, W] in [0, 1], earliest first; H, W ≥ 11.</param>
    /// <param name="input">The input x′: float32 [C, H, W] in [0, 1], on the snapshots' device.</param>
    /// <param name="cancellationToken">Checked between stages.</param>
    /// <returns>The reconstructed image as a batch of one, [1, C, H, W], with its diagnostics; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, rank, shape, device or range, or the options read more than one trace per image.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurificationResult ReconstructOne(Tensor snapshots, Tensor input, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.Check(snapshots, nameof(snapshots), 4, "[M, C, H, W]");
        ImageBatchValidation.Check(input, nameof(input), 3, "[C, H, W]");
        using var traces = snapshots.unsqueeze(0);
        using var inputs = input.unsqueeze(0);
        return ReconstructChecked([traces], inputs, null, null, cancellationToken);
    }

    /// <summary>
    /// Step 2 alone: the victim's label and the SSIM to the input of every snapshot of B traces (one victim
    /// query for all B·M snapshots). It depends on the traces, the inputs and the victim only, not on τ, w, N,
    /// η or G: pass it to <see cref="Reconstruct(Tensor, Tensor, DecisionMapping, CancellationToken)"/> of any
    /// setting to reconstruct the same traces without mapping them again.
    /// </summary>
    /// <param name="traces">Snapshots float32 [B, M, C, H, W] in [0, 1], earliest first; H, W ≥ 11.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <returns>The labels and SSIM of the B·M snapshots.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, rank, shape, device or range.</exception>
    public DecisionMapping Map(Tensor traces, Tensor inputs)
    {
        CheckTracesAndInputs(traces, inputs);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return MapChecked(traces, inputs);
    }

    /// <summary>
    /// Reconstructs B images from their traces with a mapping computed before by <see cref="Map"/> for the same
    /// traces and inputs (by this or another reconstruction of the same victim): steps 3–6 only, so the
    /// victim is queried for the grid points and the final labels but not for the snapshots.
    /// </summary>
    /// <param name="traces">Snapshots float32 [B, M, C, H, W] in [0, 1], earliest first; H, W ≥ 11.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <param name="mapping">The mapping of these traces (B traces of M snapshots).</param>
    /// <param name="cancellationToken">Checked between stages.</param>
    /// <returns>The reconstructed images [B, C, H, W] and one diagnostics entry per image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, rank, shape, device or range, the mapping is not of B traces of M snapshots, or the options read more than one trace per image.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurificationResult Reconstruct(Tensor traces, Tensor inputs, DecisionMapping mapping, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(mapping);
        return ReconstructChecked([traces], inputs, [mapping], null, cancellationToken);
    }

    /// <summary>
    /// Reconstructs B images from K traces each, K = <see cref="PurifierOptions.TracesPerImage"/> (<see cref="PurifierOptions.Seeds"/> under the vote, else 1) (docs/method.md, "Seed ensemble"):
    /// under <see cref="PurifierSelection.Vote"/> an input is marked when <see cref="PurifierOptions.MarksNeeded"/> of its K traces mark it (all K by default), and a marked input's
    /// vote runs over the snapshots of all K traces (<see cref="SnapshotVote.Choose(IReadOnlyList{IReadOnlyList{double}}, int, long, int, double)"/>).
    /// With K = 1 this is <see cref="Reconstruct(Tensor, Tensor, CancellationToken)"/>.
    /// </summary>
    /// <param name="traces">K tensors of snapshots float32 [B, M, C, H, W] in [0, 1], earliest first, all of one shape: trace k of every image.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <param name="mappings">The mapping of each of the K traces (<see cref="Map"/>), or null to map them here.</param>
    /// <param name="cancellationToken">Checked between stages.</param>
    /// <returns>The reconstructed images [B, C, H, W] and one diagnostics entry per image (its trace fields are of the first trace); the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The number of traces is not K, a tensor has the wrong dtype, rank, shape, device or range, or a mapping does not fit its traces.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurificationResult Reconstruct(IReadOnlyList<Tensor> traces, Tensor inputs, IReadOnlyList<DecisionMapping>? mappings = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Any(t => t is null))
            throw new ArgumentException("No trace tensor may be null.", nameof(traces));
        if (mappings is not null && mappings.Any(m => m is null))
            throw new ArgumentException("No mapping may be null.", nameof(mappings));
        return ReconstructChecked([.. traces], inputs, mappings is null ? null : [.. mappings], null, cancellationToken);
    }

    /// <summary>The purifier's reconstruction of its fit's K traces, with what the fit already knows of them (<paramref name="answers"/>:
    /// trace k of image b is network k·B + b there).</summary>
    internal PurificationResult Reconstruct(IReadOnlyList<Tensor> traces, Tensor inputs, SnapshotAnswers answers, Action<PurificationStage>? onStage,
        CancellationToken cancellationToken) =>
        ReconstructChecked([.. traces], inputs, null, onStage, cancellationToken, answers);

    private static void CheckTracesAndInputs(Tensor traces, Tensor inputs)
    {
        ImageBatchValidation.Check(traces, nameof(traces), 5, "[B, M, C, H, W]");
        ImageBatchValidation.Check(inputs, nameof(inputs), 4, "[B, C, H, W]");
        long[] expected = [traces.shape[0], traces.shape[2], traces.shape[3], traces.shape[4]];
        if (!inputs.shape.SequenceEqual(expected))
            throw new ArgumentException($"inputs must have shape [{string.Join(", ", expected)}] to match traces [{ImageBatchValidation.Shape(traces)}]; got [{ImageBatchValidation.Shape(inputs)}].", nameof(inputs));
        ImageBatchValidation.CheckDevice(inputs, nameof(inputs), traces.device, nameof(traces));
    }

    /// <summary>
    /// Step 2 on checked tensors, inside the caller's no-grad dispose scope. With <paramref name="answers"/> (the purifier's
    /// fit, whose networks <paramref name="firstNetwork"/>.. are these traces), the victim is asked only about the snapshots up
    /// to each trace's stop that the early stop did not ask about; the rest are the recorded answers, and the snapshots after a
    /// stop repeat the stop's (they are its copies). The victim answers each image alone, so this is the full mapping's result.
    /// </summary>
    private DecisionMapping MapChecked(Tensor traces, Tensor inputs, SnapshotAnswers? answers = null, int firstNetwork = 0)
    {
        var clock = Stopwatch.StartNew();
        int count = (int)traces.shape[0], snapshots = (int)traces.shape[1];
        long[] imageShape = [traces.shape[2], traces.shape[3], traces.shape[4]];
        var flat = traces.detach().reshape([count * snapshots, .. imageShape]);
        int[] last = [.. Enumerable.Range(0, count).Select(b => Math.Min(answers?.LastSnapshotOf(firstNetwork + b) ?? snapshots - 1, snapshots - 1))];
        long[] read = [.. Enumerable.Range(0, count).SelectMany(b => Enumerable.Range(0, last[b] + 1).Select(i => (long)b * snapshots + i))];
        long[] asked = answers is null ? read : [.. read.Where(row => !answers.Knows(firstNetwork + (int)(row / snapshots), (int)(row % snapshots)))];
        Tensor Rows(Tensor all, long[] rows) => rows.Length == all.shape[0] ? all : all.index_select(0, tensor(rows, device: all.device));

        var logits = asked.Length > 0 ? Victim.Logits(Rows(flat, asked)) : null;
        int classes = logits is null ? answers!.Classes : (int)logits.shape[1];
        long[] askedLabels = logits is null ? [] : ToLongs(logits.argmax(1));
        double[] askedProbabilities = logits is null ? [] : ToDoubles(softmax(logits.to(ScalarType.Float64), 1));
        var (inputLabels, inputMargins) = Victim.PredictLabelsAndMargins(inputs.detach());
        // Each read snapshot against its own trace's input, gathered for the read rows only.
        var references = inputs.detach().index_select(0, tensor(read.Select(row => row / snapshots).ToArray(), device: inputs.device));
        double[] readSsim = ToDoubles(ImageQuality.Ssim(Rows(flat, read), references));

        var labels = new long[count * snapshots];
        var ssim = new double[count * snapshots];
        var probabilities = new double[(long)count * snapshots * classes];
        for (int r = 0, a = 0; r < read.Length; r++)
        {
            long row = read[r];
            ssim[row] = readSsim[r];
            if (a < asked.Length && asked[a] == row)
            {
                labels[row] = askedLabels[a];
                Array.Copy(askedProbabilities, (long)a * classes, probabilities, row * classes, classes);
                a++;
            }
            else
            {
                int b = (int)(row / snapshots), i = (int)(row % snapshots);
                labels[row] = answers!.LabelOf(firstNetwork + b, i);
                answers.CopyProbabilities(firstNetwork + b, i, probabilities, row * classes);
            }
        }
        RepeatAfterStops(last, snapshots, classes, labels, ssim, probabilities);
        return new DecisionMapping(count, snapshots, classes, labels, ssim, inputLabels, inputMargins, probabilities, clock.Elapsed);
    }

    /// <summary>Fills each stopped trace's snapshots after its last one (<paramref name="last"/>) with that one's answers: they are its copies.</summary>
    private static void RepeatAfterStops(int[] last, int snapshots, int classes, long[] labels, double[] ssim, double[] probabilities)
    {
        for (int b = 0; b < last.Length; b++)
            for (int i = last[b] + 1; i < snapshots; i++)
            {
                int from = b * snapshots + last[b], to = b * snapshots + i;
                (labels[to], ssim[to]) = (labels[from], ssim[from]);
                Array.Copy(probabilities, (long)from * classes, probabilities, (long)to * classes, classes);
            }
    }

    private PurificationResult ReconstructChecked(Tensor[] allTraces, Tensor inputs, DecisionMapping[]? mappings, Action<PurificationStage>? onStage,
        CancellationToken cancellationToken, SnapshotAnswers? answers = null)
    {
        if (allTraces.Length != Options.TracesPerImage)
            throw new ArgumentException(Options.TracesPerImage == 1
                ? $"The options read one trace per image; got {allTraces.Length}."
                : $"The options ask for {nameof(PurifierOptions.Seeds)} = {Options.Seeds} traces per image (the vote); got {allTraces.Length}: pass all {Options.Seeds} to "
                  + $"Reconstruct(IReadOnlyList<Tensor>, …), or set {nameof(PurifierOptions.Seeds)} = 1 to reconstruct from one trace.", "traces");
        if (mappings is not null && mappings.Length != allTraces.Length)
            throw new ArgumentException($"One mapping per trace is needed ({allTraces.Length}); got {mappings.Length}.", "mapping");
        for (int k = 0; k < allTraces.Length; k++)
        {
            CheckTracesAndInputs(allTraces[k], inputs);
            if (!allTraces[k].shape.SequenceEqual(allTraces[0].shape))
                throw new ArgumentException($"Every trace tensor must have the shape of the first [{ImageBatchValidation.Shape(allTraces[0])}]; trace {k} is [{ImageBatchValidation.Shape(allTraces[k])}].", "traces");
            if (mappings is not null && (mappings[k].Traces != allTraces[k].shape[0] || mappings[k].Snapshots != allTraces[k].shape[1]))
                throw new ArgumentException($"mapping is of {mappings[k].Traces} traces of {mappings[k].Snapshots} snapshots; traces are [{ImageBatchValidation.Shape(allTraces[k])}].", "mapping");
        }
        cancellationToken.ThrowIfCancellationRequested();

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // Shares of the trace (the gate window, the horizon) are of all M snapshots; the rules read those before the horizon.
        int recorded = (int)allTraces[0].shape[1];
        var (gateStart, gateEnd) = Options.GateWindow(recorded);
        int snapshots = Options.HorizonSnapshots(recorded);
        if (snapshots < recorded)
        {
            allTraces = [.. allTraces.Select(t => t.narrow(1, 0, snapshots))];
            mappings = mappings is null ? null : [.. mappings.Select(m => m.FirstSnapshots(snapshots))];
        }
        int count = (int)allTraces[0].shape[0];
        var clock = Stopwatch.StartNew();

        // Step 2: decision mapping, one victim query for all B·M snapshots of each trace (unless supplied or known from the fit).
        onStage?.Invoke(PurificationStage.DecisionMapping);
        mappings ??= [.. allTraces.Select((t, k) => MapChecked(t, inputs, answers, k * count))];
        // The early stops, applied to the traces as given: a trace stopped during the fit is unchanged, a full one is cut
        // where the fit would have stopped. A marked trace is read up to its stop only.
        var stops = Stops(mappings, recorded, snapshots);
        for (int k = 0; k < allTraces.Length; k++)
            if (stops[k].Any(s => s.Snapshot < snapshots - 1))
            {
                int[] cuts = [.. stops[k].Select(s => s.Snapshot)];
                allTraces[k] = StoppedAfter(allTraces[k], cuts);
                mappings[k] = mappings[k].StoppedAfter(cuts);
            }
        int Read(int k, int b) => stops[k][b].End == TraceEnd.Marked ? stops[k][b].Snapshot + 1 : snapshots;
        var mapping = mappings[0];
        var mappingTime = clock.Elapsed;

        // The pairs and the diagnostics are of the first trace; the vote reads all of them.
        var traces = allTraces[0];
        long[] imageShape = [traces.shape[2], traces.shape[3], traces.shape[4]];
        var flat = traces.detach().reshape([count * snapshots, .. imageShape]);
        var x = inputs.detach();
        cancellationToken.ThrowIfCancellationRequested();

        // Steps 3–4: detection, last N, grid search over all pairs of all images in one query.
        onStage?.Invoke(PurificationStage.BoundarySearch);
        var crossings = new int[count][];
        var used = new int[count][];
        var pairRows = new List<long>();
        var support = new double?[count];
        var passed = new bool[count];
        var marking = new int?[count];
        var outputTrace = new int[count];
        var votes = new (long Class, int Trace, int Snapshot)?[count];
        double Support(DecisionMapping m, int b) => m.SupportOf(b).Skip(gateStart).Take(gateEnd - gateStart).Average();
        for (int b = 0; b < count; b++)
        {
            crossings[b] = CrossBoundaryDetection.Detect(mapping.LabelsOf(b), mapping.SsimOf(b), Options.SsimThreshold, Options.WarmUp, Options.StableRun);
            if (Options.Selection != PurifierSelection.Paper)
                support[b] = Support(mapping, b);
            if (Options.Selection == PurifierSelection.SupportGate)
                passed[b] = support[b] >= Options.GateThreshold;
            else if (Options.Selection == PurifierSelection.Vote)
            {
                // A one-class victim leaves nothing to vote for: its inputs pass through. A trace the settled-fit stop ended
                // does not mark its input (it carried y′ from w on and fitted the input).
                bool[] marks = [.. mappings.Select((m, k) => m.Classes >= 2 && stops[k][b].End != TraceEnd.Settled
                    && SnapshotVote.MarksAdversarial(m.LabelsOf(b).Slice(0, Read(k, b)), m.InputLabelOf(b), Options.WarmUp, Support(m, b),
                        Options.GateThreshold, m.SsimOf(b)[Read(k, b) - 1], Options.PoorFit, Options.LateChangeFit))];
                marking[b] = marks.Count(m => m);
                bool marked = marking[b] >= Options.MarksNeeded;
                // An unmarked input's output comes from a trace that does not mark it (so it ends on y′ and fits the input).
                outputTrace[b] = marked ? 0 : Array.IndexOf(marks, false);
                passed[b] = !marked;
                if (marked)
                {
                    bool ambiguous = mapping.InputMarginOf(b) < Options.AmbiguousMargin
                        && mappings.Select((m, k) => m.SsimOf(b)[Read(k, b) - 1]).Average() >= Options.AmbiguousFit;
                    double ownLabelWeight = ambiguous ? Options.OwnLabelWeight : 0;
                    votes[b] = SnapshotVote.Choose([.. mappings.Select((m, k) => (IReadOnlyList<double>)m.ProbabilitiesOf(b).Slice(0, Read(k, b) * m.Classes))], mapping.Classes,
                        mapping.InputLabelOf(b), Options.WarmUp, ownLabelWeight);
                }
            }
            used[b] = passed[b] || votes[b] is not null ? [] : CrossBoundaryDetection.LastPairs(crossings[b], Options.Pairs);
            pairRows.AddRange(used[b].Select(i => (long)b * snapshots + i));
        }
        var steps = new int[pairRows.Count];
        var onBoundary = SearchBoundary(flat, pairRows, mapping, imageShape, steps);
        var boundaryTime = clock.Elapsed - mappingTime;
        cancellationToken.ThrowIfCancellationRequested();

        // Steps 5–6: push (Eq. 6), stitch (Eq. 7), final labels.
        onStage?.Invoke(PurificationStage.Stitching);
        var output = empty([count, .. imageShape], ScalarType.Float32, traces.device);
        int pairOffset = 0;
        for (int b = 0; b < count; b++)
        {
            Tensor xb;
            double eta;
            if (votes[b] is { } vote)
            {
                xb = allTraces[vote.Trace].select(0, b).narrow(0, vote.Snapshot, 1);
                eta = 0;
            }
            else if (used[b].Length > 0)
            {
                xb = onBoundary!.narrow(0, pairOffset, used[b].Length);
                pairOffset += used[b].Length;
                eta = Options.Eta;
            }
            else
            {
                int take = Math.Min(Options.Pairs, snapshots);
                xb = allTraces[outputTrace[b]].select(0, b).narrow(0, snapshots - take, take);
                eta = 0;
            }
            var xm = xb.add(xb.sub(x.select(0, b)), alpha: eta).clamp_(0, 1);
            output.select(0, b).copy_(xm.mean([0]));
        }
        long[] finalLabels = Victim.PredictLabels(output);
        var stitchingTime = clock.Elapsed - mappingTime - boundaryTime;

        var timings = new StageTimings(TimeSpan.Zero, mappingTime, boundaryTime, stitchingTime);
        var perImage = timings.DividedBy(count);
        var diagnostics = new PurificationDiagnostics[count];
        for (int b = 0, first = 0; b < count; first += used[b].Length, b++)
        {
            bool fallback = used[b].Length == 0 && votes[b] is null;
            diagnostics[b] = new PurificationDiagnostics
            {
                TraceLabels = [.. mapping.LabelsOf(b)],
                TraceSsim = [.. mapping.SsimOf(b)],
                Crossings = crossings[b],
                UsedPairs = used[b],
                Lambdas = [.. steps.Skip(first).Take(used[b].Length).Select(k => (double)k / Options.GridSections)],
                OnBoundaryCount = fallback ? Math.Min(Options.Pairs, snapshots) : votes[b] is null ? used[b].Length : 1,
                FallbackUsed = fallback,
                InputLabel = mapping.InputLabelOf(b),
                LockIn = CrossBoundaryDetection.LockIn(mapping.LabelsOf(b)),
                GateSupport = support[b],
                InputMargin = mapping.InputMarginOf(b),
                PassedThrough = passed[b],
                Traces = allTraces.Length,
                TraceShare = stops.Average(k => (k[b].Snapshot + 1.0) / recorded),
                MarkingTraces = marking[b],
                VotedClass = votes[b]?.Class,
                OutputTrace = Options.Selection == PurifierSelection.Vote ? votes[b]?.Trace ?? outputTrace[b] : null,
                VotedSnapshot = votes[b]?.Snapshot,
                FinalLabel = finalLabels[b],
                Timings = perImage,
            };
        }
        return new PurificationResult(output.MoveToOuterDisposeScope(), diagnostics, timings);
    }

    /// <summary>
    /// Where and how the early stops (<see cref="PurifierOptions.SettledFit"/>, <see cref="PurifierOptions.MarkedHorizon"/>) end
    /// each trace k of each image b, or the last snapshot read: a trace stopped during the fit gives the same stop again, a full
    /// trace is cut where it would have stopped.
    /// </summary>
    private (int Snapshot, TraceEnd End)[][] Stops(DecisionMapping[] mappings, int recorded, int read) =>
        [.. mappings.Select(m => Enumerable.Range(0, m.Traces)
            .Select(b => !Options.EarlyStopsOn(recorded) ? (read - 1, TraceEnd.Full)
                : TraceStopRule.Stop(m.LabelsOf(b), m.SsimOf(b), m.SupportOf(b), m.InputLabelOf(b), m.InputMarginOf(b), Options, recorded, read))
            .ToArray())];

    /// <summary>Traces [B, M, C, H, W] with trace b's snapshots after <paramref name="stops"/>[b] replaced by that one.</summary>
    private static Tensor StoppedAfter(Tensor traces, int[] stops)
    {
        int count = (int)traces.shape[0], snapshots = (int)traces.shape[1];
        long[] rows = [.. Enumerable.Range(0, count).SelectMany(b => Enumerable.Range(0, snapshots).Select(i => (long)b * snapshots + Math.Min(i, stops[b])))];
        return traces.reshape([count * snapshots, .. traces.shape.Skip(2)]).index_select(0, tensor(rows, device: traces.device)).view(traces.shape);
    }

    /// <summary>
    /// Grid search (Eq. 4–5) for the pairs starting at the given rows of <paramref name="flat"/>: fills
    /// <paramref name="steps"/> with k* and returns the on-boundary images x_b(k*/G), [P, C, H, W], or null when P = 0.
    /// </summary>
    private Tensor? SearchBoundary(Tensor flat, List<long> pairRows, DecisionMapping mapping, long[] imageShape, int[] steps)
    {
        int pairs = pairRows.Count, sections = Options.GridSections;
        if (pairs == 0)
            return null;
        var device = flat.device;
        var rows = tensor(pairRows.ToArray(), device: device);
        var left = flat.index_select(0, rows);
        var right = flat.index_select(0, rows.add(1));
        var lambda = tensor(Enumerable.Range(1, sections).Select(k => (float)k / sections).ToArray(), device: device)
            .view(1, sections, 1, 1, 1);
        // x_b(λ) = (1 − λ)·x_i + λ·x_{i+1}, [P, G, C, H, W]; at λ = 1 this is exactly x_{i+1}.
        var grid = left.unsqueeze(1).mul(lambda.neg().add(1)).add(right.unsqueeze(1).mul(lambda));

        if (sections > 1)
        {
            var queried = grid.narrow(1, 0, sections - 1).reshape([pairs * (sections - 1), .. imageShape]);
            long[] gridLabels = Victim.PredictLabels(queried);
            for (int p = 0; p < pairs; p++)
                steps[p] = CrossBoundaryDetection.FirstFlip(gridLabels.AsSpan(p * (sections - 1), sections - 1), mapping.LabelAt(pairRows[p]));
        }
        else
        {
            Array.Fill(steps, 1);
        }

        var chosen = tensor(steps.Select((k, p) => (long)p * sections + k - 1).ToArray(), device: device);
        return grid.reshape([pairs * sections, .. imageShape]).index_select(0, chosen);
    }

    private static long[] ToLongs(Tensor values)
    {
        using var cpu = values.to(ScalarType.Int64).cpu();
        return cpu.data<long>().ToArray();
    }

    private static double[] ToDoubles(Tensor values)
    {
        using var cpu = values.to(ScalarType.Float64).cpu();
        return cpu.data<double>().ToArray();
    }
}
