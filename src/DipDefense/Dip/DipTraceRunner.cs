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
    /// settings (4: oneDNN switched off, libtorch's own convolution kernels, <see cref="ConvolutionBackends"/>; 3: one
    /// ungrouped convolution per network, <see cref="PerNetworkConv2d"/>; 2: one grouped convolution; 1: im2col and batched
    /// matrix products). Trace caches and evaluation stores record it, so that traces of two
    /// versions are never mixed.
    /// </summary>
    public const int ArithmeticVersion = 4;

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
    /// <param name="progress">Told each time the call has taken B more snapshots in all, as "snapshot m" (synchronously, from this thread); optional.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <param name="stop">Asked after every snapshot but the last which traces are finished (early stop); null runs all T iterations.</param>
    /// <param name="seeds">The seed of each image (B values), so that one call can fit an image several times with other
    /// seeds; null: <see cref="DipTraceOptions.Seed"/> + b. An image's trace depends on its target and seed only.</param>
    /// <param name="concurrent">How many networks are fitted at once (0 or ≥ B: all B). When fewer, the first ones start and each
    /// trace that ends (stopped early or at T) makes room for the next image's network (docs/performance.md, "Refilling the
    /// batch"); the traces are the same bytes either way.</param>
    /// <returns>The snapshots [B, M, C, H, W] with losses and timings; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong rank, dtype or range, <paramref name="seeds"/> does not have B values,
    /// or <paramref name="concurrent"/> is negative.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public DipTraceResult Run(Tensor targets, IProgress<DipProgress>? progress = null, CancellationToken cancellationToken = default, IDipTraceStop? stop = null,
        IReadOnlyList<long>? seeds = null, int concurrent = 0)
    {
        ValidateTargets(targets);
        int count = (int)targets.shape[0];
        if (seeds is not null && seeds.Count != count)
            throw new ArgumentException($"seeds must have one value per target ({count}); got {seeds.Count}.", nameof(seeds));
        if (concurrent < 0)
            throw new ArgumentException($"concurrent must be 0 (all) or positive; got {concurrent}.", nameof(concurrent));
        cancellationToken.ThrowIfCancellationRequested();

        int width = concurrent == 0 ? count : Math.Min(concurrent, count);
        var shares = WorkerShares.Split(width, WorkerShares.Count(Options.Workers, width, targets.device));
        long[] seedOf = seeds?.ToArray() ?? [.. Enumerable.Range(0, count).Select(b => unchecked(Options.Seed + b))];
        var call = new Call(Options, targets, seedOf, width, shares.Length, stop);
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
                    Fit(call, Enumerable.Range(shares[w].Start, shares[w].Count).ToList(), token);
            },
            _ => call.Board.Finish(),
            // The calling thread only reports progress.
            () =>
            {
                for (int reported = 0; call.Board.WaitForMore(reported, out int done);)
                    for (; reported < done; reported++)
                        progress?.Report(call.Progress(reported));
            },
            cancellationToken);

    /// <summary>
    /// Fits the images <paramref name="first"/> of the call, then, as their traces end, the call's waiting images, on one
    /// worker thread. Every network keeps its own snapshot count; the networks that join do so right after a snapshot, so
    /// the snapshots of all of them fall on the same iterations of this loop.
    /// </summary>
    private void Fit(Call call, List<int> first, CancellationToken cancellationToken)
    {
        var targets = call.Targets;
        int channels = (int)targets.shape[1], interval = Options.SnapshotInterval, snapshotCount = Options.Snapshots;
        long height = targets.shape[2], width = targets.shape[3];
        double std = Options.InputNoiseStd, averaging = Options.OutputAveraging;
        var device = targets.device;

        // The images running, as indices into the call; the tensors below hold their rows in this order.
        var running = new List<int>();
        var taken = new List<int>();     // per running image: snapshots taken
        var fresh = new List<bool>();    // per running image: whether its first iteration is yet to come
        var generators = new List<Generator>();
        Tensor target = Nothing(), noise = Nothing(), average = Nothing();
        DipGenerator? net = null;
        DipAdam? optimizer = null;
        // Scalars held for the whole loop: a temporary one could be freed by the finalizer thread mid-call (see DipAdam).
        using var noiseStd = std.ToScalar();
        using var keep = averaging.ToScalar();
        using var blend = (1 - averaging).ToScalar();
        try
        {
            Start(first);
            for (long tick = 1; running.Count > 0; tick++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var finished = Iterate(tick);
                if (finished is not null && finished.Any(f => f))
                {
                    var joining = call.NextWaiting(finished.Count(f => f));
                    Drop(finished);
                    Start(joining);
                }
            }
        }
        finally
        {
            net?.Dispose();
            optimizer?.Dispose();
            target.Dispose();
            noise.Dispose();
            average.Dispose();
            foreach (var g in generators) g.Dispose();
        }

        // One iteration of every running network; after a snapshot, which traces ended (null between snapshots).
        bool[]? Iterate(long tick)
        {
            using var scope = NewDisposeScope();
            optimizer!.ZeroGrad();
            var input = std > 0 ? noise.add(DipRandom.Perturbation(Options.Network, height, width, generators).to(device), noiseStd) : noise;
            Tensor output, perImage;
            using (enable_grad())
            {
                output = net!.call(input);
                perImage = output.sub(target).square().mean([1, 2, 3]);
                perImage.sum().backward();
            }
            if (averaging > 0)
                Average(average, output.detach(), fresh, keep, blend);
            for (int r = 0; r < fresh.Count; r++)
                fresh[r] = false;
            bool snapshotDue = tick % interval == 0;
            // The fitted function itself, without this iteration's perturbation (before the step, like the output). It runs
            // with gradients recorded and dropped: without them libtorch probes NNPACK for the 1×1 convolutions and, on
            // CPUs it does not support, logs a warning on every call.
            Tensor? noiseFree = null;
            if (snapshotDue && averaging == 0 && std > 0 && Options.NoiseFreeSnapshots)
                using (enable_grad())
                    noiseFree = net.call(noise).detach();
            optimizer.Step();
            if (!snapshotDue)
                return null;

            var snapshot = averaging > 0 ? average : noiseFree ?? output;
            call.Take(running, taken, snapshot, perImage);
            var finished = Finished(call, running, taken, snapshot);
            int accounted = 0;
            for (int r = 0; r < running.Count; r++)
            {
                accounted += finished[r] ? snapshotCount - taken[r] : 1;
                if (finished[r])
                    call.Finish(running[r], taken[r]);
                taken[r]++;
            }
            call.Board.Taken(accounted, call.Clock.Elapsed);
            return finished;
        }

        // Starts the networks of images (the first ones, or those that join after a snapshot), after the running ones.
        void Start(IReadOnlyList<int> images)
        {
            if (images.Count == 0)
                return;
            var added = images.Select(i => DipRandom.CreateGenerator(call.Seeds[i])).ToList();
            // Each image's generator draws its noise first, then its network's weights, then the perturbations.
            using var addedNoise = DipRandom.Noise(Options.Network, height, width, added).to(device);
            var addedNet = new DipGenerator(Options.Network, channels, added);
            addedNet.to(device);
            addedNet.train();
            using var rows = tensor(images.Select(i => (long)i).ToArray(), device: device);
            using var addedTargets = targets.index_select(0, rows);
            if (net is null)
            {
                (net, optimizer) = (addedNet, new DipAdam(addedNet.parameters(), Options.LearningRate, images.Count));
            }
            else
            {
                net.Add(addedNet);
                addedNet.Dispose();
                optimizer!.Add(images.Count);
            }
            target = Concat(target, addedTargets);
            noise = Concat(noise, addedNoise);
            if (averaging > 0)
            {
                using var zero = zeros_like(addedTargets);
                average = Concat(average, zero);
            }
            running.AddRange(images);
            taken.AddRange(new int[images.Count]);
            fresh.AddRange(Enumerable.Repeat(true, images.Count));
            generators.AddRange(added);
        }

        // Drops the finished images' networks and rows; the others go on exactly as before.
        void Drop(bool[] finished)
        {
            using var scope = NewDisposeScope();
            var kept = Enumerable.Range(0, running.Count).Where(r => !finished[r]).ToArray();
            foreach (int r in Enumerable.Range(0, running.Count).Where(r => finished[r]))
                generators[r].Dispose();
            if (kept.Length == 0)
            {
                net!.Dispose();
                optimizer!.Dispose();
                (net, optimizer) = (null, null);
                foreach (var t in new[] { target, noise, average })
                    t.Dispose();
                (target, noise, average) = (Nothing(), Nothing(), Nothing());
            }
            else
            {
                var rows = tensor(kept.Select(r => (long)r).ToArray(), device: device);
                optimizer!.Keep(net!.Keep(kept).Select(index => index.to(device)).ToArray(), kept);
                target = Select(target, rows);
                noise = Select(noise, rows);
                if (averaging > 0)
                    average = Select(average, rows);
            }
            running = [.. kept.Select(r => running[r])];
            taken = [.. kept.Select(r => taken[r])];
            fresh = [.. kept.Select(r => fresh[r])];
            generators = [.. kept.Select(r => generators[r])];
        }
    }

    /// <summary>Which running traces end after their latest snapshot: those that took their last one, and those the stop finishes.</summary>
    private static bool[] Finished(Call call, List<int> running, List<int> taken, Tensor snapshot)
    {
        int last = call.SnapshotCount - 1;
        var finished = running.Select((_, r) => taken[r] == last).ToArray();
        int[] asked = [.. Enumerable.Range(0, running.Count).Where(r => !finished[r])];
        if (call.Stop is null || asked.Length == 0)
            return finished;
        Tensor askedRows;
        if (asked.Length == running.Count)
            askedRows = snapshot;
        else
        {
            using var rows = tensor(asked.Select(r => (long)r).ToArray(), device: snapshot.device);
            askedRows = snapshot.index_select(0, rows);
        }
        var stopped = call.Stop.Finished([.. asked.Select(r => running[r])], [.. asked.Select(r => taken[r])], askedRows);
        for (int a = 0; a < asked.Length; a++)
            finished[asked[a]] = stopped[a];
        return finished;
    }

    /// <summary>The output averaging a_t = β·a_{t−1} + (1 − β)·g(z_t), with a_1 = g(z_1) for the networks on their first iteration.</summary>
    private static void Average(Tensor average, Tensor output, List<bool> fresh, Scalar keep, Scalar blend)
    {
        if (fresh.All(f => f))
        {
            average.copy_(output);
            return;
        }
        average.mul_(keep).add_(output, blend);
        if (fresh.Any(f => f))
        {
            using var rows = tensor(Enumerable.Range(0, fresh.Count).Where(r => fresh[r]).Select(r => (long)r).ToArray(), device: output.device);
            using var first = output.index_select(0, rows);
            average.index_copy_(0, rows, first);
        }
    }

    /// <summary>An empty placeholder for the rows of no image.</summary>
    private static Tensor Nothing() => empty(0).DetachFromDisposeScope();

    /// <summary><paramref name="current"/>'s rows <paramref name="rows"/>, in place of it.</summary>
    private static Tensor Select(Tensor current, Tensor rows)
    {
        var selected = current.index_select(0, rows).DetachFromDisposeScope();
        current.Dispose();
        return selected;
    }

    /// <summary><paramref name="current"/> followed by <paramref name="added"/>'s rows, in place of it.</summary>
    private static Tensor Concat(Tensor current, Tensor added)
    {
        var joined = (current.numel() == 0 ? added.clone() : cat([current, added], 0)).DetachFromDisposeScope();
        current.Dispose();
        return joined;
    }

    /// <summary>
    /// The state of one <see cref="Run"/> call shared by its workers: each writes only its own images' entries. The first
    /// <c>started</c> images start at once; the others wait for a place.
    /// </summary>
    private sealed class Call(DipTraceOptions options, Tensor targets, long[] seeds, int started, int workers, IDipTraceStop? stop)
    {
        private readonly object waitingGate = new();
        private int nextWaiting = started;

        public Tensor Targets { get; } = targets;
        public long[] Seeds { get; } = seeds;
        public int SnapshotCount => options.Snapshots;
        public Tensor Snapshots { get; } = empty([targets.shape[0], options.Snapshots, .. targets.shape.Skip(1)], ScalarType.Float32, targets.device);
        public float[,] Losses { get; } = new float[targets.shape[0], options.Snapshots];
        public int[] StoppedAt { get; } = Enumerable.Repeat(options.Snapshots - 1, (int)targets.shape[0]).ToArray();
        /// <summary>Per image, the snapshots whose losses are stored (taken or filled in after a stop).</summary>
        public int[] Stored { get; } = new int[targets.shape[0]];
        public SnapshotBoard Board { get; } = new((int)targets.shape[0], options.Snapshots, workers);
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public IDipTraceStop? Stop { get; } = stop;

        /// <summary>Up to <paramref name="places"/> waiting images, in order, which the caller starts; none once all have started.</summary>
        public IReadOnlyList<int> NextWaiting(int places)
        {
            lock (waitingGate)
            {
                int count = Math.Clamp(Seeds.Length - nextWaiting, 0, places);
                var images = Enumerable.Range(nextWaiting, count).ToArray();
                nextWaiting += count;
                return images;
            }
        }

        /// <summary>Stores each running image's next snapshot and its loss (rows of <paramref name="snapshot"/> in <paramref name="running"/>'s order; image r's index is <paramref name="taken"/>[r]).</summary>
        public void Take(IReadOnlyList<int> running, IReadOnlyList<int> taken, Tensor snapshot, Tensor perImage)
        {
            using var cpuLosses = perImage.detach().cpu();
            var values = cpuLosses.data<float>().ToArray();
            for (int r = 0; r < running.Count; r++)
            {
                using var slot = Snapshots[running[r], taken[r]];
                using var row = snapshot[r];
                slot.copy_(row);
                Losses[running[r], taken[r]] = values[r];
                Volatile.Write(ref Stored[running[r]], taken[r] + 1);
            }
        }

        /// <summary>Image <paramref name="image"/> ended after snapshot m: its later snapshots and losses repeat snapshot m's.</summary>
        public void Finish(int image, int m)
        {
            StoppedAt[image] = m;
            if (m == options.Snapshots - 1)
                return;
            using var trace = Snapshots[image];
            using var last = trace[m];
            using var rest = trace.narrow(0, m + 1, options.Snapshots - m - 1);
            rest.copy_(last.unsqueeze(0).expand_as(rest));
            for (int later = m + 1; later < options.Snapshots; later++)
                Losses[image, later] = Losses[image, m];
            Volatile.Write(ref Stored[image], options.Snapshots);
        }

        /// <summary>The report of snapshot m: its mean loss over the images that have it.</summary>
        public DipProgress Progress(int snapshot)
        {
            double sum = 0;
            int count = 0;
            for (int b = 0; b < Losses.GetLength(0); b++)
                if (Volatile.Read(ref Stored[b]) > snapshot)
                {
                    sum += Losses[b, snapshot];
                    count++;
                }
            return new DipProgress((snapshot + 1) * options.SnapshotInterval, options.Iterations, snapshot + 1, options.Snapshots,
                count == 0 ? double.NaN : sum / count, Clock.Elapsed);
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
