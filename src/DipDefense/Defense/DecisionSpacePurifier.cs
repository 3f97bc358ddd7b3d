using System.Diagnostics;
using DipDefense.Dip;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// The decision-space Deep Image Prior purifier of Ding, Wang et al., "Delving into Deep Image Prior for
/// Adversarial Defense: A Novel Reconstruction-based Defense Framework" (ACM MM 2021), as restated in
/// docs/method.md: a DIP trace per image, its mapping to the victim's decision space, on-boundary images
/// of the last N cross-boundary pairs, pushed away from the input and stitched.
/// </summary>
/// <remarks>
/// <para>
/// Training-free and attack-agnostic: the victim is only queried for labels (<see cref="IClassifier.Predict"/>).
/// Images are processed in chunks of <see cref="PurifierOptions.RefillBatches"/>·<see cref="PurifierOptions.BatchSize"/>; each chunk
/// runs one DIP fit (<see cref="DipTraceRunner"/>) of its K traces per image (<see cref="PurifierOptions.TracesPerImage"/>) that keeps
/// K·B networks running and starts the next trace whenever one ends, then one <see cref="DecisionSpaceReconstruction"/>. Image i of a call uses DIP seed <c>Trace.Seed + i</c> (trace k:
/// <see cref="PurifierOptions.TraceSeed"/>), so its result does not depend on the batch size or on the other images.
/// </para>
/// <para>
/// Gradients are enabled only inside the DIP fit (for the generator weights, whatever the caller's grad mode);
/// everything else runs without gradients, and the input is never differentiated through (wrap the purifier
/// in <c>Bpda</c> for defense-aware attacks; its BPDA substitute is the identity). Everything runs on the images' device.
/// </para>
/// <para>Queries per image: each snapshot of its K traces up to the trace's stop once (at most K·M; the early stops,
/// <see cref="PurifierOptions.SettledFit"/> and <see cref="PurifierOptions.MarkedHorizon"/>, ask during the fit and the
/// decision mapping asks about the rest), K for the input (2K with the early stops), P·(G − 1) for P used pairs (P ≤ N)
/// and 1 for the output.</para>
/// </remarks>
public sealed class DecisionSpacePurifier : IPurifier
{
    private readonly DecisionSpaceReconstruction reconstruction;

    /// <summary>Creates a purifier protecting <paramref name="victim"/>.</summary>
    /// <param name="victim">The classifier to protect; queried for labels on the images' device.</param>
    /// <param name="options">Settings; null: the defaults (the paper's DIP settings).</param>
    /// <exception cref="ArgumentNullException"><paramref name="victim"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DecisionSpacePurifier(IClassifier victim, PurifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(victim);
        options ??= new PurifierOptions();
        options.Validate(nameof(options));
        reconstruction = new DecisionSpaceReconstruction(victim, options);
    }

    /// <summary>The protected classifier.</summary>
    public IClassifier Victim => reconstruction.Victim;

    /// <summary>The validated options.</summary>
    public PurifierOptions Options => reconstruction.Options;

    /// <summary><c>dip-decision</c>.</summary>
    public string Name => "dip-decision";

    /// <summary>True: the DIP networks' noise and initial weights are drawn from <c>Trace.Seed</c> + image index.</summary>
    public bool IsRandomized => true;

    /// <summary>The same purifier with DIP seed <paramref name="seed"/> (<c>Trace.Seed</c>).</summary>
    public IPurifier WithSeed(long seed) => new DecisionSpacePurifier(Victim, Options with { Trace = Options.Trace with { Seed = seed } });

    PurifierResult IPurifier.Purify(Tensor images, IProgress<PurificationProgress>? progress, CancellationToken cancellationToken) =>
        Purify(images, progress, cancellationToken);

    /// <summary>Purifies a batch of images.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], H and W ≥ 11 and accepted by the DIP network, on any device.</param>
    /// <param name="progress">Told after every DIP snapshot and at the start of every later stage (synchronously, from this thread); optional.</param>
    /// <param name="cancellationToken">Checked before every DIP iteration and between stages.</param>
    /// <returns>The purified images on the input's device and one diagnostics entry per image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank, size or range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurificationResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.Check(images, nameof(images), 4, "[N, C, H, W]");
        cancellationToken.ThrowIfCancellationRequested();

        int total = (int)images.shape[0], chunkSize = Options.BatchSize * Options.RefillBatches, iterations = Options.Trace.Iterations, tracesPerImage = Options.TracesPerImage;
        var clock = Stopwatch.StartNew();
        var diagnostics = new List<PurificationDiagnostics>(total);
        var timings = new StageTimings();
        Tensor purified;
        using (no_grad())
            purified = empty(images.shape, ScalarType.Float32, images.device);
        try
        {
            // The reconstruction reads the snapshots before the horizon only: the fit stops there.
            var horizonStop = Options.HorizonStop(Options.Trace.Snapshots);
            for (int start = 0; start < total; start += chunkSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(chunkSize, total - start);
                using var scope = NewDisposeScope();
                var chunk = images.detach().narrow(0, start, count);

                // The K traces of the chunk run in one fit of K·BatchSize networks at a time (a fit of two networks costs little
                // more than one where the batch is small; docs/performance.md): row k·count + b is trace k of image start + b,
                // seed Trace.Seed + SeedStride·k + start + b. Each network depends only on its image and seed, so this equals K
                // separate runs, whatever the chunk and the batch.
                var traceClock = Stopwatch.StartNew();
                var targets = tracesPerImage == 1 ? chunk : cat(Enumerable.Repeat(chunk, tracesPerImage).ToArray(), 0);
                long[] seeds = Options.TraceSeeds(start, count);
                var forwarder = progress is null ? null : new TraceProgressForwarder(progress, clock, start, count, total);
                // The early stops end each trace where the reconstruction would cut it (docs/method.md, "Early stop").
                // The victim's answers the stops get are kept for the decision mapping.
                var answers = new SnapshotAnswers((int)targets.shape[0], Options.Trace.Snapshots);
                IDipTraceStop? stop = Options.EarlyStopsOn(Options.Trace.Snapshots) ? new EarlyTraceStop(Victim, targets, Options, horizonStop, answers) : horizonStop;
                DipTraceResult trace;
                using (enable_grad())
                    trace = new DipTraceRunner(Options.Trace).Run(targets, forwarder, cancellationToken, stop, seeds, tracesPerImage * Options.BatchSize);
                try
                {
                    var traceTime = traceClock.Elapsed;
                    answers.StoppedAt(trace.StoppedAt);

                    void OnStage(PurificationStage stage) =>
                        progress?.Report(new PurificationProgress(stage, start, count, start, total, iterations, iterations, clock.Elapsed));
                    Tensor[] traces = [.. Enumerable.Range(0, tracesPerImage).Select(k => trace.Snapshots.narrow(0, k * count, count))];
                    using var result = reconstruction.Reconstruct(traces, chunk, answers, OnStage, cancellationToken);

                    using (no_grad())
                        purified.narrow(0, start, count).copy_(result.Purified);
                    var perImageTrace = traceTime / count;
                    diagnostics.AddRange(result.Diagnostics.Select(d => d with { Timings = d.Timings with { Trace = perImageTrace } }));
                    timings += result.Timings with { Trace = traceTime };
                }
                finally
                {
                    trace.Dispose();
                }
            }
        }
        catch
        {
            purified.Dispose();
            throw;
        }
        return new PurificationResult(purified, diagnostics, timings);
    }
}
