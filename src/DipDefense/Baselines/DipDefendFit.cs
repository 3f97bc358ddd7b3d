using DipDefense.Dip;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// One batched DIPDefend fit: B independent generators (<see cref="DipGenerator"/>), each with its own trainable input
/// z_b, fitted by Adam to their images for T iterations, keeping for each image the output of its Holt peak.
/// </summary>
/// <remarks>
/// Image b draws z_b, then its network's initial weights, from seed <c>firstSeed + b</c>. The loss is the sum over
/// images of each image's MSE, so each network and each z_b receive exactly their standalone gradients, and Adam is
/// element-wise; with one libtorch thread (<see cref="LibTorchThreads"/>) a batch equals B single-image fits.
/// Each iteration's output (before the Adam step, as the reference's closure sees it) gives p_t = <see cref="PatchPsnr"/>
/// against the input; when s_t is a new maximum of the smoothed series, that output is copied to the result.
/// </remarks>
internal static class DipDefendFit
{
    /// <summary>
    /// <see cref="Run"/> with the images split into <paramref name="shares"/>, each fitted by a worker thread of its own on one
    /// libtorch thread (<see cref="WorkerShares"/>); image b keeps seed <c>firstSeed + b</c>, so the result is that of one
    /// <see cref="Run"/>. <paramref name="iterationDone"/> is told, from the calling thread, each iteration every worker has done.
    /// </summary>
    public static DipDefendDiagnostics[] RunInParallel(Tensor targets, Tensor into, DipDefendOptions options, long firstSeed,
        (int Start, int Count)[] shares, Action<int>? iterationDone, CancellationToken cancellationToken)
    {
        if (shares.Length == 1)
            return Run(targets, into, options, firstSeed, iterationDone, cancellationToken);
        var results = new DipDefendDiagnostics[shares.Length][];
        var done = new int[shares.Length];
        int finished = 0;
        using var changed = new SemaphoreSlim(0);
        using (LibTorchThreads.KeepDefault())
            WorkerShares.Run(shares.Length, targets.device.type == DeviceType.CPU, "DIPDefend worker",
                (w, token) =>
                {
                    var share = shares[w];
                    using var shareTargets = targets.narrow(0, share.Start, share.Count);
                    using var shareInto = into.narrow(0, share.Start, share.Count);
                    results[w] = Run(shareTargets, shareInto, options, unchecked(firstSeed + share.Start), iteration =>
                    {
                        Volatile.Write(ref done[w], iteration);
                        changed.Release();
                    }, token);
                },
                _ =>
                {
                    Interlocked.Increment(ref finished);
                    changed.Release();
                },
                // The calling thread reports each iteration once every worker has done it.
                () =>
                {
                    for (int reported = 0; ; changed.Wait())
                    {
                        bool allFinished = Volatile.Read(ref finished) == shares.Length;
                        for (int least = LeastDone(); reported < least; reported++)
                            iterationDone?.Invoke(reported + 1);
                        if (allFinished)
                            break;
                    }
                },
                cancellationToken);
        return [.. results.SelectMany(r => r)];

        int LeastDone() => Enumerable.Range(0, done.Length).Min(w => Volatile.Read(ref done[w]));
    }

    /// <summary>Fits <paramref name="targets"/> [B, C, H, W] and writes each image's chosen output into <paramref name="into"/> (same shape and device).</summary>
    /// <param name="targets">float32 [B, C, H, W] in [0, 1], detached.</param>
    /// <param name="into">Where the chosen outputs go.</param>
    /// <param name="options">Validated settings.</param>
    /// <param name="firstSeed">Seed of image 0; image b uses <c>firstSeed + b</c>.</param>
    /// <param name="iterationDone">Called with the number of iterations done after each one; optional.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>One diagnostics entry per image.</returns>
    public static DipDefendDiagnostics[] Run(Tensor targets, Tensor into, DipDefendOptions options, long firstSeed,
        Action<int>? iterationDone, CancellationToken cancellationToken)
    {
        int count = (int)targets.shape[0], channels = (int)targets.shape[1], iterations = options.Iterations;
        long height = targets.shape[2], width = targets.shape[3];
        var device = targets.device;
        var psnr = Enumerable.Range(0, count).Select(_ => new double[iterations]).ToArray();
        var selected = new int[count];
        var trackers = Enumerable.Range(0, count).Select(_ => new HoltPeakTracker(options.SmoothingFactor)).ToArray();
        var isPeak = new bool[count];
        var generators = new Generator[count];
        try
        {
            for (int b = 0; b < count; b++)
                generators[b] = DipRandom.CreateGenerator(unchecked(firstSeed + b));
            using var threads = LibTorchThreads.OneOnThisThread(device);
            using var noGrad = no_grad();
            using var noise = DipRandom.Noise(options.Network, height, width, generators);
            using var z = new Parameter(noise.to(device, copy: true));
            using var net = new DipGenerator(options.Network, channels, generators);
            net.to(device);
            net.train();
            using var optimizer = new DipAdam(net.parameters().Append(z), options.LearningRate);

            for (int t = 0; t < iterations; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                Tensor output;
                using (enable_grad())
                {
                    output = net.call(z);
                    output.sub(targets).square().mean([1, 2, 3]).sum().backward();
                }
                var values = PatchPsnr.Minimum(output.detach(), targets, options.PsnrPatchSize);
                bool anyPeak = false;
                for (int b = 0; b < count; b++)
                {
                    psnr[b][t] = values[b];
                    isPeak[b] = trackers[b].Add(values[b]);
                    if (isPeak[b])
                        selected[b] = t;
                    anyPeak |= isPeak[b];
                }
                if (anyPeak)
                {
                    var mask = tensor(isPeak, device: device).view(count, 1, 1, 1);
                    into.copy_(where(mask, output.detach(), into));
                }
                optimizer.Step();
                iterationDone?.Invoke(t + 1);
            }
        }
        finally
        {
            foreach (var g in generators)
                g?.Dispose();
        }
        return [.. psnr.Select((series, b) => new DipDefendDiagnostics { Psnr = series, SelectedIteration = selected[b] })];
    }
}
