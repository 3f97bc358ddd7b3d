using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Computes DIP traces (docs/method.md, step 1): fits one untrained generator per target image to that
/// image from fixed noise with Adam and records M snapshots at equal intervals. The B images of a call
/// are fitted together by B independent networks (<see cref="DipGenerator"/>), on the targets' device.
/// </summary>
/// <remarks>
/// Image b uses seed <see cref="DipTraceOptions.Seed"/> + b: a CPU generator with that seed first draws
/// its noise z_b [32, H, W] uniform in [0, 0.1) and then its network's initial weights. The loss is the
/// sum over images of each image's MSE, so each network receives exactly its standalone gradient and
/// Adam (element-wise) takes its standalone steps: a batched trace equals B single-image traces run
/// with seeds Seed + b, up to floating-point rounding.
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
    /// <param name="progress">Told after each snapshot (synchronously, from this thread); optional.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>The snapshots [B, M, C, H, W] with losses and timings; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong rank, dtype or range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public DipTraceResult Run(Tensor targets, IProgress<DipProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateTargets(targets);
        cancellationToken.ThrowIfCancellationRequested();

        int count = (int)targets.shape[0], channels = (int)targets.shape[1];
        long height = targets.shape[2], width = targets.shape[3];
        int iterations = Options.Iterations, snapshotCount = Options.Snapshots, interval = Options.SnapshotInterval;
        var device = targets.device;

        using var target = targets.to(device, copy: true).detach_();
        using var noise = CreateNoiseAndGenerator(count, channels, height, width, device, out var generator);
        using var net = generator;
        net.train();
        using var optimizer = optim.Adam(net.parameters(), lr: Options.LearningRate);

        var snapshots = empty([count, snapshotCount, channels, height, width], ScalarType.Float32, device);
        var losses = new float[count, snapshotCount];
        var snapshotIterations = new int[snapshotCount];
        var snapshotTimes = new TimeSpan[snapshotCount];
        var clock = Stopwatch.StartNew();
        try
        {
            for (int iteration = 1, taken = 0; iteration <= iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var output = net.call(noise);
                var perImage = output.sub(target).square().mean([1, 2, 3]);
                if (iteration % interval == 0)
                    TakeSnapshot(output, perImage, snapshots, losses, taken);
                perImage.sum().backward();
                optimizer.step();

                if (iteration % interval == 0)
                {
                    snapshotIterations[taken] = iteration;
                    snapshotTimes[taken] = clock.Elapsed;
                    taken++;
                    progress?.Report(new DipProgress(iteration, iterations, taken, snapshotCount, MeanOf(losses, taken - 1), clock.Elapsed));
                }
            }
        }
        catch
        {
            snapshots.Dispose();
            throw;
        }
        return new DipTraceResult(snapshots, losses, snapshotIterations, snapshotTimes, clock.Elapsed, iterations);
    }

    private Tensor CreateNoiseAndGenerator(int count, int channels, long height, long width, Device device, out DipGenerator generator)
    {
        var network = Options.Network;
        var generators = new Generator[count];
        var noises = new Tensor[count];
        try
        {
            for (int b = 0; b < count; b++)
            {
                generators[b] = DipRandom.CreateGenerator(unchecked(Options.Seed + b));
                noises[b] = DipRandom.Noise(network.NoiseChannels, height, width, network.NoiseScale, generators[b]);
            }
            generator = new DipGenerator(network, channels, generators);
            generator.to(device);
            using var stacked = stack(noises);
            return stacked.to(device).requires_grad_(false);
        }
        finally
        {
            foreach (var g in generators) g?.Dispose();
            foreach (var n in noises) n?.Dispose();
        }
    }

    private static void TakeSnapshot(Tensor output, Tensor perImage, Tensor snapshots, float[,] losses, int index)
    {
        using (no_grad())
        {
            snapshots.select(1, index).copy_(output);
            using var cpuLosses = perImage.detach().cpu();
            var values = cpuLosses.data<float>().ToArray();
            for (int b = 0; b < values.Length; b++)
                losses[b, index] = values[b];
        }
    }

    private static double MeanOf(float[,] losses, int index)
    {
        double sum = 0;
        for (int b = 0; b < losses.GetLength(0); b++) sum += losses[b, index];
        return sum / losses.GetLength(0);
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
