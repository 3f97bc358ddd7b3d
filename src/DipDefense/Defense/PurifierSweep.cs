using DipDefense.Data;
using DipDefense.Metrics;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// Evaluates many settings (τ, w, N, η, G) of steps 2–6 on DIP traces computed once: the calibration sweep of
/// docs/method.md. Each added chunk of traces is mapped to the decision space once
/// (<see cref="DecisionSpaceReconstruction.Map"/>: B·M victim queries) and then reconstructed with every setting
/// from that mapping (<see cref="DecisionSpaceReconstruction.Reconstruct(Tensor, Tensor, DecisionMapping, CancellationToken)"/>),
/// so each setting gives exactly what <see cref="DecisionSpaceReconstruction"/> with that setting gives.
/// </summary>
/// <remarks>
/// <para>
/// Traces can be added chunk by chunk (<see cref="Add(Tensor, Tensor, IReadOnlyList{long}, Tensor?, Action{int, PurificationResult}?, CancellationToken)"/>), so that they need not all be held at once; the
/// figures accumulate over every image added. <see cref="PurifierOptions.Trace"/> and
/// <see cref="PurifierOptions.BatchSize"/> of the settings are not used here (the traces are given).
/// </para>
/// <para>
/// Victim queries per chunk of B images with K traces of M snapshots: K·B·M once, then per setting P·(G − 1) grid points for its
/// P used pairs, B final labels of the reconstructions and B labels of their 8-bit quantisations.
/// </para>
/// </remarks>
public sealed class PurifierSweep
{
    private readonly DecisionSpaceReconstruction[] reconstructions;
    private readonly Accumulator[] totals;
    private bool? withClean;

    /// <summary>Creates an empty sweep.</summary>
    /// <param name="victim">The classifier protected; only its labels are used.</param>
    /// <param name="settings">The settings to evaluate, at least one; each is validated.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No setting is given, or one is invalid (the message names it).</exception>
    public PurifierSweep(IClassifier victim, IEnumerable<PurifierOptions> settings)
    {
        ArgumentNullException.ThrowIfNull(victim);
        ArgumentNullException.ThrowIfNull(settings);
        var list = settings.ToArray();
        if (list.Length == 0)
            throw new ArgumentException("At least one setting is needed.", nameof(settings));
        for (int s = 0; s < list.Length; s++)
        {
            if (list[s] is null)
                throw new ArgumentException($"Setting {s} is null.", nameof(settings));
            list[s].Validate(nameof(settings));
        }
        Victim = victim;
        Settings = list;
        reconstructions = [.. list.Select(o => new DecisionSpaceReconstruction(victim, o))];
        totals = [.. list.Select(_ => new Accumulator())];
    }

    /// <summary>The victim.</summary>
    public IClassifier Victim { get; }

    /// <summary>The settings, in the order given.</summary>
    public IReadOnlyList<PurifierOptions> Settings { get; }

    /// <summary>The largest <see cref="PurifierOptions.TracesPerImage"/> of the settings: the traces per image <see cref="Add(IReadOnlyList{Tensor}, Tensor, IReadOnlyList{long}, Tensor?, Action{int, PurificationResult}?, CancellationToken)"/> needs.</summary>
    public int MaxSeeds => Settings.Max(o => o.TracesPerImage);

    /// <summary>Images added so far.</summary>
    public int Count { get; private set; }

    /// <summary>The figures of every setting over every image added so far, in the order of <see cref="Settings"/>.</summary>
    public IReadOnlyList<SweepResult> Results => [.. Settings.Select((o, s) => totals[s].ToResult(o, withClean == true))];

    /// <summary>Evaluates every setting on a chunk of traces, adding to <see cref="Results"/>.</summary>
    /// <param name="traces">Snapshots float32 [B, M, C, H, W] in [0, 1], earliest first; H, W ≥ 11.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <param name="trueLabels">The true class of each image (B values).</param>
    /// <param name="clean">The clean images float32 [B, C, H, W] on the traces' device, for SSIM; given for every chunk or for none.</param>
    /// <param name="onReconstructed">Told each setting's index and reconstruction of this chunk before it is disposed (outside any dispose scope of the sweep); optional.</param>
    /// <param name="cancellationToken">Checked between settings.</param>
    /// <exception cref="ArgumentException">A tensor or the labels do not fit, or <paramref name="clean"/> is given for some chunks only.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public void Add(Tensor traces, Tensor inputs, IReadOnlyList<long> trueLabels, Tensor? clean = null,
        Action<int, PurificationResult>? onReconstructed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traces);
        Add([traces], inputs, trueLabels, clean, onReconstructed, cancellationToken);
    }

    /// <summary>
    /// Evaluates every setting on a chunk of K traces per image (<see cref="PurifierOptions.TracesPerImage"/>), adding to
    /// <see cref="Results"/>: each trace is mapped once, and a setting with <see cref="PurifierOptions.TracesPerImage"/> = k reads the
    /// first k of them.
    /// </summary>
    /// <param name="traces">K tensors of snapshots float32 [B, M, C, H, W] in [0, 1], earliest first, all of one shape: trace k
    /// of every image, with the seeds <see cref="PurifierOptions.TraceSeed"/> gives; at least the largest TracesPerImage of the settings.</param>
    /// <param name="inputs">The inputs x′ the traces were fitted to: float32 [B, C, H, W] in [0, 1], on the traces' device.</param>
    /// <param name="trueLabels">The true class of each image (B values).</param>
    /// <param name="clean">The clean images float32 [B, C, H, W] on the traces' device, for SSIM; given for every chunk or for none.</param>
    /// <param name="onReconstructed">Told each setting's index and reconstruction of this chunk before it is disposed (outside any dispose scope of the sweep); optional.</param>
    /// <param name="cancellationToken">Checked between settings.</param>
    /// <exception cref="ArgumentException">Fewer traces are given than a setting reads, a tensor or the labels do not fit, or <paramref name="clean"/> is given for some chunks only.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public void Add(IReadOnlyList<Tensor> traces, Tensor inputs, IReadOnlyList<long> trueLabels, Tensor? clean = null,
        Action<int, PurificationResult>? onReconstructed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(trueLabels);
        if (traces.Count < MaxSeeds)
            throw new ArgumentException($"A setting reads {MaxSeeds} trace(s) per image ({nameof(PurifierOptions.Seeds)} under the vote); {traces.Count} given.", nameof(traces));
        var mappings = traces.Select(t => reconstructions[0].Map(t, inputs)).ToArray();
        int count = mappings[0].Traces;
        if (trueLabels.Count != count)
            throw new ArgumentException($"trueLabels must have one label per trace ({count}); got {trueLabels.Count}.", nameof(trueLabels));
        if (clean is not null)
        {
            ImageBatchValidation.Check(clean, nameof(clean), 4, "[B, C, H, W]");
            if (!clean.shape.SequenceEqual(inputs.shape))
                throw new ArgumentException($"clean must have the shape of inputs [{ImageBatchValidation.Shape(inputs)}]; got [{ImageBatchValidation.Shape(clean)}].", nameof(clean));
            ImageBatchValidation.CheckDevice(clean, nameof(clean), traces[0].device, nameof(traces));
        }
        if (withClean is { } before && before != clean is not null)
            throw new ArgumentException("clean must be given for every chunk or for none.", nameof(clean));
        withClean = clean is not null;

        // Each setting works on B images only: libtorch's threads would spend more time waking up than computing
        // (measured: 90–200 ms per setting and chunk of 16 on two threads beside another job, 38 ms on one).
        using var oneThread = DipDefense.Dip.LibTorchThreads.OneOnThisThread(traces[0].device);
        for (int s = 0; s < Settings.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int seeds = Settings[s].TracesPerImage;
            using var result = reconstructions[s].Reconstruct([.. traces.Take(seeds)], inputs, mappings[..seeds], cancellationToken);
            long[] labels;
            double[]? ssim = null;
            using (NewDisposeScope())
            using (no_grad())
            {
                var quantised = EightBitQuantization.Quantize(result.Purified);
                labels = Victim.PredictLabels(quantised);
                if (clean is not null)
                    ssim = ImageQuality.Ssim(quantised, clean.detach()).to(ScalarType.Float64).cpu().data<double>().ToArray();
            }
            totals[s].Add(result.Diagnostics, labels, trueLabels, ssim, Settings[s].WarmUp);
            onReconstructed?.Invoke(s, result);
        }
        Count += count;
    }

    /// <summary>Evaluates every setting on the given traces at once (one <see cref="Add(Tensor, Tensor, IReadOnlyList{long}, Tensor?, Action{int, PurificationResult}?, CancellationToken)"/>).</summary>
    /// <param name="victim">The classifier protected.</param>
    /// <param name="settings">The settings, at least one.</param>
    /// <param name="traces">Snapshots float32 [N, M, C, H, W] in [0, 1].</param>
    /// <param name="inputs">The inputs float32 [N, C, H, W] the traces were fitted to.</param>
    /// <param name="trueLabels">The true class of each image.</param>
    /// <param name="clean">The clean images [N, C, H, W] for SSIM, or null.</param>
    /// <param name="cancellationToken">Checked between settings.</param>
    /// <returns>One result per setting, in the order given.</returns>
    public static IReadOnlyList<SweepResult> Evaluate(IClassifier victim, IEnumerable<PurifierOptions> settings, Tensor traces, Tensor inputs,
        IReadOnlyList<long> trueLabels, Tensor? clean = null, CancellationToken cancellationToken = default)
    {
        var sweep = new PurifierSweep(victim, settings);
        sweep.Add(traces, inputs, trueLabels, clean, cancellationToken: cancellationToken);
        return sweep.Results;
    }

    private sealed class Accumulator
    {
        private readonly List<long> labels = [];
        private int correct, correctUnrounded, crossing, ceiling;
        private double ssimSum, traceShareSum;

        public void Add(IReadOnlyList<PurificationDiagnostics> diagnostics, long[] quantisedLabels, IReadOnlyList<long> trueLabels, double[]? ssim, int warmUp)
        {
            for (int b = 0; b < quantisedLabels.Length; b++)
            {
                var d = diagnostics[b];
                long truth = trueLabels[b];
                labels.Add(quantisedLabels[b]);
                if (quantisedLabels[b] == truth) correct++;
                if (d.FinalLabel == truth) correctUnrounded++;
                if (!d.FallbackUsed) crossing++;
                if (d.TraceShowsLabel(truth, warmUp)) ceiling++;
                if (ssim is not null) ssimSum += ssim[b];
                traceShareSum += d.TraceShare;
            }
        }

        public SweepResult ToResult(PurifierOptions options, bool withClean)
        {
            int n = labels.Count;
            double Share(int k) => n == 0 ? double.NaN : (double)k / n;
            return new SweepResult
            {
                Options = options,
                Count = n,
                Labels = [.. labels],
                Correct = correct,
                UnroundedAccuracy = Share(correctUnrounded),
                MeanSsim = withClean ? (n == 0 ? double.NaN : ssimSum / n) : null,
                CrossingShare = Share(crossing),
                Ceiling = Share(ceiling),
                TraceShare = n == 0 ? double.NaN : traceShareSum / n,
            };
        }
    }
}
