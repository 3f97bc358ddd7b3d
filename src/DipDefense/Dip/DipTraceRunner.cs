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
/// Image b uses seed <see cref="DipTraceOptions.Seed"/> + b: a CPU generator with that seed first draws its noise
/// z_b [32, H, W] uniform in [0, 0.1), then its network's initial weights, then (when
/// <see cref="DipTraceOptions.InputNoiseStd"/> is positive) the input perturbation of every iteration in turn.
/// The loss is the sum over images of each image's MSE, so each network receives exactly its standalone
/// gradient and Adam (element-wise) takes its standalone steps; the convolutions compute each network alike
/// whatever B is (<see cref="GroupedConv2d"/>), and every worker runs on one libtorch thread
/// (<see cref="LibTorchThreads"/>). So a batched trace equals B single-image traces run with seeds Seed + b
/// (bit for bit on the machines measured; docs/performance.md).
/// </para>
/// </remarks>
public sealed class DipTraceRunner
{
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
    /// <returns>The snapshots [B, M, C, H, W] with losses and timings; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong rank, dtype or range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public DipTraceResult Run(Tensor targets, IProgress<DipProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateTargets(targets);
        cancellationToken.ThrowIfCancellationRequested();

        int count = (int)targets.shape[0], snapshotCount = Options.Snapshots;
        var device = targets.device;
        var shares = Shares(count, WorkerCount(count, device));
        var snapshots = empty([count, snapshotCount, .. targets.shape.Skip(1)], ScalarType.Float32, device);
        var losses = new float[count, snapshotCount];
        var board = new SnapshotBoard(shares.Length, snapshotCount);
        var clock = Stopwatch.StartNew();
        try
        {
            using (LibTorchThreads.Single(device))
            using (no_grad())
            {
                if (shares.Length == 1)
                    Fit(targets, 0, count, snapshots, losses, board, 0, progress, clock, cancellationToken);
                else
                    FitInParallel(targets, shares, snapshots, losses, board, progress, clock, cancellationToken);
            }
        }
        catch
        {
            snapshots.Dispose();
            throw;
        }
        var iterations = Enumerable.Range(1, snapshotCount).Select(m => m * Options.SnapshotInterval).ToArray();
        return new DipTraceResult(snapshots, losses, iterations, board.Times, clock.Elapsed, Options.Iterations);
    }

    /// <summary>The workers for B images: the option, or min(processors, B / 4) on the CPU and 1 elsewhere; never more than B.</summary>
    private int WorkerCount(int count, Device device)
    {
        int workers = Options.Workers > 0 ? Options.Workers
            : device.type == DeviceType.CPU ? Math.Min(Environment.ProcessorCount, count / 4) : 1;
        return Math.Clamp(workers, 1, count);
    }

    /// <summary>Splits B images into <paramref name="workers"/> contiguous shares (start, count), sizes differing by at most one.</summary>
    private static (int Start, int Count)[] Shares(int count, int workers) =>
        [.. Enumerable.Range(0, workers).Select(w => (Start: count * w / workers, Count: count * (w + 1) / workers - count * w / workers))];

    private void FitInParallel(Tensor targets, (int Start, int Count)[] shares, Tensor snapshots, float[,] losses, SnapshotBoard board,
        IProgress<DipProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var errors = new Exception?[shares.Length];
        var threads = shares.Select((share, w) => new Thread(() =>
        {
            try
            {
                using (no_grad())
                    Fit(targets, share.Start, share.Count, snapshots, losses, board, w, null, clock, stop.Token);
            }
            catch (Exception e)
            {
                errors[w] = e;
                stop.Cancel();
            }
            finally
            {
                board.Finish(w);
            }
        }) { IsBackground = true, Name = $"DIP worker {w}" }).ToArray();
        foreach (var thread in threads)
            thread.Start();

        // This thread reports progress: snapshot m is done once every worker has taken it.
        for (int reported = 0; board.WaitForMore(reported, out int done);)
            for (; reported < done; reported++)
                progress?.Report(Progress(reported, losses, board.Times[reported]));
        foreach (var thread in threads)
            thread.Join();

        cancellationToken.ThrowIfCancellationRequested();
        // The first real failure; a worker cancelled because another failed only reports OperationCanceledException.
        var error = errors.FirstOrDefault(e => e is not null and not OperationCanceledException) ?? errors.FirstOrDefault(e => e is not null);
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Fits images [start, start + count) of the targets, writing their snapshots and losses; worker <paramref name="worker"/> of the board.</summary>
    private void Fit(Tensor targets, int start, int count, Tensor snapshots, float[,] losses, SnapshotBoard board, int worker,
        IProgress<DipProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        int channels = (int)targets.shape[1], iterations = Options.Iterations, interval = Options.SnapshotInterval;
        long height = targets.shape[2], width = targets.shape[3];
        double std = Options.InputNoiseStd, averaging = Options.OutputAveraging;
        var device = targets.device;

        using var target = targets.narrow(0, start, count).to(device, copy: true).detach_();
        var generators = new Generator[count];
        try
        {
            for (int b = 0; b < count; b++)
                generators[b] = DipRandom.CreateGenerator(unchecked(Options.Seed + start + b));
            using var noise = DipRandom.Noise(Options.Network, height, width, generators).to(device);
            using var net = new DipGenerator(Options.Network, channels, generators);
            net.to(device);
            net.train();
            using var optimizer = new DipAdam(net.parameters(), Options.LearningRate);
            using var average = averaging > 0 ? zeros_like(target) : null;
            // Scalars held for the whole loop: a temporary one could be freed by the finalizer thread mid-call (see DipAdam).
            using var noiseStd = std.ToScalar();
            using var keep = averaging.ToScalar();
            using var blend = (1 - averaging).ToScalar();
            var own = snapshots.narrow(0, start, count);

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
                optimizer.Step();

                if (iteration % interval == 0)
                {
                    own.select(1, taken).copy_(average ?? output);
                    using var cpuLosses = perImage.detach().cpu();
                    var values = cpuLosses.data<float>().ToArray();
                    for (int b = 0; b < count; b++)
                        losses[start + b, taken] = values[b];
                    board.Taken(worker, taken, clock.Elapsed);
                    taken++;
                    progress?.Report(Progress(taken - 1, losses, clock.Elapsed));
                }
            }
        }
        finally
        {
            foreach (var g in generators) g?.Dispose();
        }
    }

    private DipProgress Progress(int snapshot, float[,] losses, TimeSpan elapsed)
    {
        double sum = 0;
        for (int b = 0; b < losses.GetLength(0); b++) sum += losses[b, snapshot];
        return new DipProgress((snapshot + 1) * Options.SnapshotInterval, Options.Iterations, snapshot + 1, Options.Snapshots,
            sum / losses.GetLength(0), elapsed);
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
