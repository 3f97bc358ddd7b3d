using System.Diagnostics;
using DipDefense.Defense;
using DipDefense.Dip;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// DIPDefend, Dai et al., "DIPDefend: Deep Image Prior Driven Defense against Adversarial Examples" (ACM MM 2020;
/// code Kira0096/DIPDefend), as docs/method.md specifies it: a DIP fit of each image with an image-space stopping rule.
/// </summary>
/// <remarks>
/// <para>
/// Per image: a DIP generator (<see cref="DipDefendOptions.ReferenceNetwork"/>) and its input z are fitted together
/// by Adam (lr 0.01) to the input x′ for T = 4000 iterations; every iteration's PSNR between the output and x′ (the
/// minimum over 32×32 patches on larger images) is smoothed by Holt's double exponential smoothing (λ = 0.002), and the
/// output of the last iteration at which the smoothed PSNR reached a new maximum is returned (<see cref="HoltSmoothing"/>).
/// All iterations run. The victim is never queried.
/// </para>
/// <para>
/// Images are fitted in chunks of <see cref="DipDefendOptions.BatchSize"/>, B independent networks at a time
/// (<see cref="Dip.DipGenerator"/>); image i of a call uses seed <c>Seed + i</c>, so its result depends neither on the batch
/// size nor on the other images. Randomized (the seed draws z and the weights); its BPDA substitute is the identity.
/// Gradients are enabled only inside the fit; everything runs on the images' device. On the CPU a batch is split over
/// min(processors, B) worker threads (<see cref="DipDefendOptions.Workers"/>), each on one libtorch thread.
/// </para>
/// </remarks>
public sealed class DipDefendPurifier : IPurifier
{
    /// <summary>Creates the purifier.</summary>
    /// <param name="options">Settings; null: the defaults (the reference's CIFAR-10 settings).</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DipDefendPurifier(DipDefendOptions? options = null)
    {
        options ??= new DipDefendOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public DipDefendOptions Options { get; }

    /// <summary><c>dipdefend</c>.</summary>
    public string Name => "dipdefend";

    /// <summary>True: z and the initial weights are drawn from <see cref="DipDefendOptions.Seed"/> + image index.</summary>
    public bool IsRandomized => true;

    /// <summary>The same purifier with <see cref="DipDefendOptions.Seed"/> = <paramref name="seed"/>.</summary>
    public IPurifier WithSeed(long seed) => new DipDefendPurifier(Options with { Seed = seed });

    /// <summary>Purifies a batch of images.</summary>
    /// <param name="images">float32 [N, C, H, W] in [0, 1], any size, any device.</param>
    /// <param name="progress">Told during every chunk's fit (<see cref="PurificationStage.Trace"/>) after every max(1, T / 200) iterations and after the last; optional.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>The purified images on the input's device and one <see cref="DipDefendDiagnostics"/> per image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> has the wrong dtype, rank or range, or is empty.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public PurifierResult Purify(Tensor images, IProgress<PurificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageBatchValidation.CheckImages(images, nameof(images));
        cancellationToken.ThrowIfCancellationRequested();

        int total = (int)images.shape[0], iterations = Options.Iterations, interval = Math.Max(1, iterations / 200);
        var clock = Stopwatch.StartNew();
        var diagnostics = new List<DipDefendDiagnostics>(total);
        Tensor purified;
        using (no_grad())
            purified = empty(images.shape, ScalarType.Float32, images.device);
        try
        {
            for (int start = 0; start < total; start += Options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(Options.BatchSize, total - start);
                using var scope = NewDisposeScope();
                void Report(int iteration)
                {
                    if (iteration % interval == 0 || iteration == iterations)
                        progress?.Report(new PurificationProgress(PurificationStage.Trace, start, count, start, total, iteration, iterations, clock.Elapsed));
                }
                var shares = WorkerShares.Split(count, WorkerShares.Count(Options.Workers, count, images.device));
                diagnostics.AddRange(DipDefendFit.RunInParallel(images.detach().narrow(0, start, count), purified.narrow(0, start, count), Options,
                    unchecked(Options.Seed + start), shares, progress is null ? null : Report, cancellationToken));
            }
        }
        catch
        {
            purified.Dispose();
            throw;
        }
        return new PurifierResult<DipDefendDiagnostics>(purified, diagnostics);
    }
}
