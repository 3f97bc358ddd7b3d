using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Computes DIP traces (docs/method.md, step 1): fits one untrained generator per target image to that
/// image from noise with Adam and records M snapshots at equal intervals. The B images of a call are fitted
/// by B independent networks (<see cref="DipGenerator"/>), on the targets' device, split among
/// <see cref="DipTraceOptions.Workers"/> threads.
/// </summary>
/// <remarks>
/// <para>
/// Image b uses seed <see cref="DipTraceOptions.Seed"/> + b, or the b-th of the seeds given to <see cref="Run"/>: a CPU generator with that seed first draws its noise
/// z_b [32, H, W] uniform in [0, 0.1), then its network's initial weights, then (when
/// <see cref="DipTraceOptions.InputNoiseStd"/> is positive) the input perturbation of every iteration in turn.
/// The loss is the sum over images of each image's MSE, so each network receives exactly its standalone
/// gradient and Adam (element-wise) takes its standalone steps; the convolutions compute each network alike
/// whatever B is (<see cref="PerNetworkConv2d"/>), and every worker runs on one libtorch thread
/// (<see cref="LibTorchThreads"/>). So a batched trace equals B single-image traces run with seeds Seed + b
/// (bit for bit on the machines measured; docs/performance.md).
/// </para>
/// </remarks>
public sealed class DipTraceRunner
{
    /// <summary>
    /// The version of a trace's arithmetic: raised whenever a change of kernels changes the bytes of a trace for the same
    /// settings (3: one ungrouped convolution per network, <see cref="PerNetworkConv2d"/>; 2: one grouped convolution;
    /// 1: im2col and batched matrix products). Trace caches and evaluation stores record it, so that traces of two
    /// versions are never mixed.
    /// </summary>
    public const int ArithmeticVersion = 3;

    /// <summary>Creates a runner with the given options (null: the defaults).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DipTraceRunner(DipTraceOptions? options = null)
    {
        options ??= new DipTraceOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public DipTraceOptions Options { get; }

    /// <summary>Runs the DIP traces of <paramref name="targets"/>.</summary>
    /// <param name="targets">float32 [B, C, H, W] in [0, 1], B ≥ 1; the device they are on runs the trace.</param>
    /// <param name="progress">Told after each snapshot once every worker has taken it (synchronously, from this thread); optional.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <param name="stop">Asked after every snapshot but the last which traces are finished (early stop); null runs all T iterations.</param>
    /// <param name="seeds">The seed of each image (B values), so that one call can fit an image several times with other
    /// seeds; null: <see cref="DipTraceOptions.Seed"/> + b. An image's trace depends on its target and seed only.</param>
    /// <returns>The snapshots [B, M, C, H, W] with losses and timings; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong rank, dtype or range, or <paramref name="seeds"/> does not have B values.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public DipTraceResult Run(Tensor targets, IProgress<DipProgress>? progress = null, CancellationToken cancellationToken = default, IDipTraceStop? stop = null,
        IReadOnlyList<long>? seeds = null)
    {
        ValidateTargets(targets);
        int count = (int)targets.shape[0];
        if (seeds is not null && seeds.Count != count)
            throw new ArgumentException($"seeds must have one value per target ({count}); got {seeds.Count}.", nameof(seeds));
        cancellationToken.ThrowIfCancellationRequested();

        var shares = WorkerShares.Split(count, WorkerShares.Count(Options.Workers, count, targets.device));
        long[] seedOf = seeds?.ToArray() ?? [.. Enumerable.Range(0, count).Select(b => unchecked(Options.Seed + b))];
        var call = new Call(Options, targets, seedOf, shares.Length, stop);
        try
        {
            using (LibTorchThreads.KeepDefault())
            using (no_grad())
                FitInParallel(call, shares, progress, cancellationToken);
        }
        catch
        {
            call.Snapshots.Dispose();
            throw;
        }
        var iterations = Enumerable.Range(1, Options.Snapshots).Select(m => m * Options.SnapshotInterval).ToArray();
        return new DipTraceResult(call.Snapshots, call.Losses, iterations, call.Board.Times, call.Clock.Elapsed, Options.Iterations, call.StoppedAt);
    }

    private void FitInParallel(Call call, (int Start, int Count)[] shares, IProgress<DipProgress>? progress, CancellationToken cancellationToken) =>
        WorkerShares.Run(shares.Length, call.Targets.device.type == DeviceType.CPU, "DIP worker",
            (w, token) =>
            {
                using (no_grad())
                    Fit(call, shares[w].Start, shares[w].Count, w, token);
            },
            call.Board.Finish,
            // The calling thread only reports progress: snapshot m is done once every worker has taken it.
            () =>
            {
                for (int reported = 0; call.Board.WaitForMore(reported, out int done);)
                    for (; reported < done; reported++)
                        progress?.Report(call.Progress(reported));
            },
            cancellationToken);

    /// <summary>Fits images [start, start + count) of the call, as worker <paramref name="worker"/> of its board (on its own thread).</summary>
    private void Fit(Call call, int start, int count, int worker, CancellationToken cancellationToken)
    {
        var targets = call.Targets;
        int channels = (int)targets.shape[1], iterations = Options.Iterations, interval = Options.SnapshotInterval, snapshotCount = Options.Snapshots;
        long height = targets.shape[2], width = targets.shape[3];
        double std = Options.InputNoiseStd, averaging = Options.OutputAveraging;
        var device = targets.device;

        // The images still running, as indices into the call; the tensors below hold their rows in this order.
        var running = Enumerable.Range(start, count).ToList();
        var target = targets.narrow(0, start, count).to(device, copy: true).detach_();
        var generators = running.Select(i => DipRandom.CreateGenerator(call.Seeds[i])).ToList();
        Tensor? noise = null, average = null;
        try
        {
            noise = DipRandom.Noise(Options.Network, height, width, generators).to(device);
            using var net = new DipGenerator(Options.Network, channels, generators);
            net.to(device);
            net.train();
            using var optimizer = new DipAdam(net.parameters(), Options.LearningRate);
            average = averaging > 0 ? zeros_like(target) : null;
            // Scalars held for the whole loop: a temporary one could be freed by the finalizer thread mid-call (see DipAdam).
            using var noiseStd = std.ToScalar();
            using var keep = averaging.ToScalar();
            using var blend = (1 - averaging).ToScalar();

            for (int iteration = 1, taken = 0; iteration <= iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var input = std > 0 ? noise.add(DipRandom.Perturbation(Options.Network, height, width, generators).to(device), noiseStd) : noise;
                Tensor output, perImage;
                using (enable_grad())
                {
                    output = net.call(input);
                    perImage = output.sub(target).square().mean([1, 2, 3]);
                    perImage.sum().backward();
                }
                if (average is not null)
                {
                    if (iteration == 1)
                        average.copy_(output);
                    else
                        average.mul_(keep).add_(output.detach(), blend);
                }
                bool snapshotDue = iteration % interval == 0;
                // The fitted function itself, without this iteration's perturbation (before the step, like the output). It runs
                // with gradients recorded and dropped: without them libtorch probes NNPACK for the 1×1 convolutions and, on
                // CPUs it does not support, logs a warning on every call.
                Tensor? noiseFree = null;
                if (snapshotDue && average is null && std > 0 && Options.NoiseFreeSnapshots)
                    using (enable_grad())
                        noiseFree = net.call(noise).detach();
                optimizer.Step();

                if (!snapshotDue)
                    continue;
                var snapshot = average ?? noiseFree ?? output;
                call.Take(running, taken, snapshot, perImage);
                var finished = call.Stop is not null && taken < snapshotCount - 1
                    ? call.Stop.Finished(running, taken, snapshot)
                    : new bool[running.Count];
                for (int r = 0; r < running.Count; r++)
                    if (finished[r])
                        call.Finish(running[r], taken);
                taken++;
                bool allFinished = finished.All(f => f);
                call.Board.Taken(worker, allFinished ? snapshotCount - 1 : taken - 1, call.Clock.Elapsed);
                if (allFinished)
                    break;
                if (finished.Any(f => f))
                {
                    // Drop the finished images' networks and rows; the others go on exactly as before.
                    var kept = Enumerable.Range(0, running.Count).Where(r => !finished[r]).ToArray();
                    using var rows = tensor(kept.Select(r => (long)r).ToArray(), device: device);
                    optimizer.Keep(net.Keep(kept).Select(index => index.to(device)).ToArray());
                    Replace(ref target, target.index_select(0, rows));
                    Replace(ref noise, noise.index_select(0, rows));
                    if (average is not null)
                        Replace(ref average, average.index_select(0, rows));
                    foreach (int r in Enumerable.Range(0, running.Count).Where(r => finished[r]))
                        generators[r].Dispose();
                    generators = [.. kept.Select(r => generators[r])];
                    running = [.. kept.Select(r => running[r])];
                }
            }
        }
        finally
        {
            target.Dispose();
            noise?.Dispose();
            average?.Dispose();
            foreach (var g in generators) g.Dispose();
        }
    }

    /// <summary>Puts <paramref name="replacement"/> (made in a dispose scope that is about to close) in place of <paramref name="current"/>.</summary>
    private static void Replace(ref Tensor current, Tensor replacement)
    {
        var kept = replacement.DetachFromDisposeScope();
        current.Dispose();
        current = kept;
    }

    /// <summary>The state of one <see cref="Run"/> call shared by its workers: each writes only its own images' entries.</summary>
    private sealed class Call(DipTraceOptions options, Tensor targets, long[] seeds, int workers, IDipTraceStop? stop)
    {
        public Tensor Targets { get; } = targets;
        public long[] Seeds { get; } = seeds;
        public Tensor Snapshots { get; } = empty([targets.shape[0], options.Snapshots, .. targets.shape.Skip(1)], ScalarType.Float32, targets.device);
        public float[,] Losses { get; } = new float[targets.shape[0], options.Snapshots];
        public int[] StoppedAt { get; } = Enumerable.Repeat(options.Snapshots - 1, (int)targets.shape[0]).ToArray();
        public SnapshotBoard Board { get; } = new(workers, options.Snapshots);
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public IDipTraceStop? Stop { get; } = stop;

        /// <summary>Stores snapshot m and its losses of the running images (rows of <paramref name="snapshot"/> in <paramref name="running"/>'s order).</summary>
        public void Take(IReadOnlyList<int> running, int m, Tensor snapshot, Tensor perImage)
        {
            using var cpuLosses = perImage.detach().cpu();
            var values = cpuLosses.data<float>().ToArray();
            for (int r = 0; r < running.Count; r++)
            {
                using var slot = Snapshots[running[r], m];
                using var row = snapshot[r];
                slot.copy_(row);
                Losses[running[r], m] = values[r];
            }
        }

        /// <summary>Image <paramref name="image"/> stopped after snapshot m: its later snapshots and losses repeat snapshot m's.</summary>
        public void Finish(int image, int m)
        {
            StoppedAt[image] = m;
            using var trace = Snapshots[image];
            using var last = trace[m];
            using var rest = trace.narrow(0, m + 1, options.Snapshots - m - 1);
            rest.copy_(last.unsqueeze(0).expand_as(rest));
            for (int later = m + 1; later < options.Snapshots; later++)
                Losses[image, later] = Losses[image, m];
        }

        public DipProgress Progress(int snapshot)
        {
            double sum = 0;
            for (int b = 0; b < Losses.GetLength(0); b++) sum += Losses[b, snapshot];
            return new DipProgress((snapshot + 1) * options.SnapshotInterval, options.Iterations, snapshot + 1, options.Snapshots,
                sum / Losses.GetLength(0), Clock.Elapsed);
        }
    }

    private static void ValidateTargets(Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.dim() != 4 || targets.dtype != ScalarType.Float32)
            throw new ArgumentException($"targets must be a float32 tensor [B, C, H, W]; got {targets.dtype} [{string.Join(", ", targets.shape)}].", nameof(targets));
        if (targets.shape.Any(s => s == 0))
            throw new ArgumentException($"targets must not be empty; got [{string.Join(", ", targets.shape)}].", nameof(targets));
        using (no_grad())
        using (NewDisposeScope())
        {
            double min = targets.min().item<float>(), max = targets.max().item<float>();
            if (!(min >= 0 && max <= 1))
                throw new ArgumentException($"targets must lie in [0, 1]; found [{min}, {max}].", nameof(targets));
        }
    }
}
