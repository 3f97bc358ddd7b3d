using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DipDefense.Dip;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense bench</c>: the speed of the DIP trace (docs/performance.md) for several batch sizes: seconds per image and
/// per iteration, the achieved GFLOP/s and its share of a reference matrix product measured in the same process.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new DeviceOption();
        var preset = new Option<string>("--preset") { Description = $"DIP network: {string.Join(", ", DipNetworkConfig.PresetNames)}.", DefaultValueFactory = _ => "medium" };
        var size = new Option<int>("--size") { Description = "Side of the square images (3 channels).", DefaultValueFactory = _ => 32 };
        var iterations = new Option<int>("--iterations") { Description = "DIP iterations T timed per batch (the figures are also given per iteration).", DefaultValueFactory = _ => 200 };
        var batches = new Option<string>("--batch") { Description = "Comma-separated batch sizes B.", DefaultValueFactory = _ => "1,8,16,32" };
        var workers = new Option<int>("--workers") { Description = "DIP worker threads (0: automatic, min(processors, B)).", DefaultValueFactory = _ => 0 };
        var inputNoise = new Option<string>("--input-noise") { Description = "σ_z of the trace, a number or a fraction (the default's cost includes drawing the noise).", DefaultValueFactory = _ => new DipTraceOptions().InputNoiseStd.ToString("R", CultureInfo.InvariantCulture) };
        var peak = new Option<double?>("--peak-gflops") { Description = "The machine's theoretical peak in GFLOP/s, to report the share of it (default: only the share of the measured matrix product)." };
        var horizon = new Option<double>("--horizon") { Description = "Also time each batch stopped at this share of the trace, as the purifier stops its fit at its horizon H (1: no second run).", DefaultValueFactory = _ => new DipDefense.Defense.PurifierOptions().Horizon };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("bench", "Time the DIP trace for several batch sizes: seconds per image and per iteration, GFLOP/s and share of the machine's peak.");
        foreach (var option in new Option[] { preset, size, iterations, batches, workers, inputNoise, peak, horizon, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            var network = DipNetworkConfig.FromName(result.GetValue(preset)!);
            int side = result.GetValue(size), steps = result.GetValue(iterations);
            if (side < 11) throw new ArgumentException($"--size must be at least 11; got {side}.");
            if (steps < 10) throw new ArgumentException($"--iterations must be at least 10; got {steps}.");
            int[] sizes = ParseSizes(result.GetValue(batches)!);
            var options = new DipTraceOptions
            {
                Network = network,
                Iterations = steps / 10 * 10,
                Snapshots = 10,
                InputNoiseStd = Fraction.Parse(result.GetValue(inputNoise)!, "--input-noise"),
                Workers = result.GetValue(workers),
            };
            options.Validate();
            double share = result.GetValue(horizon);
            if (!(share > 0 && share <= 1)) throw new ArgumentException($"--horizon must lie in (0, 1]; got {share}.");
            // The purifier's own stop at its horizon, for the M = 10 snapshots timed here.
            var stop = new DipDefense.Defense.PurifierOptions { Horizon = share }.HorizonStop(options.Snapshots);
            var target = device.Resolve(result);
            double flopsPerIteration = DipFlops.Iteration(network, 3, side, side);
            double reference = ReferenceGflops(target);

            var rows = new List<Row>();
            foreach (int b in sizes)
            {
                console.Progress.MarkupLineInterpolated($"[grey]B = {b}: {options.Iterations} iterations[/]");
                using var images = Images(b, side, target);
                using (new DipTraceRunner(options with { Iterations = 10, Snapshots = 1 }).Run(images)) { } // warm-up
                var clock = Stopwatch.StartNew();
                using (new DipTraceRunner(options).Run(images)) { }
                double seconds = clock.Elapsed.TotalSeconds;
                double perIteration = seconds / options.Iterations;
                double gflops = b * flopsPerIteration / perIteration / 1e9;
                double? stopped = null;
                if (stop is not null)
                {
                    clock.Restart();
                    using (new DipTraceRunner(options).Run(images, stop: stop)) { }
                    stopped = clock.Elapsed.TotalSeconds / b * 1000 / options.Iterations;
                }
                rows.Add(new Row(b, perIteration * 1e3, perIteration / b * 1e3, perIteration / b * 1000, stopped, gflops, gflops / reference, result.GetValue(peak) is { } p ? gflops / p : null));
            }

            var table = new Table().AddColumns("B", "ms / iteration", "ms / image / iteration", "s / image at T = 1000", $"same, horizon {share.ToString(CultureInfo.InvariantCulture)}", "GFLOP/s", "share of matmul", "share of peak");
            foreach (var r in rows)
                table.AddRow(r.Batch.ToString(), $"{r.MsPerIteration:0.0}", $"{r.MsPerImageIteration:0.00}", $"{r.SecondsPerImageAt1000:0.00}", r.SecondsPerImageWithHorizon is { } h ? $"{h:0.00}" : "-", $"{r.Gflops:0.0}",
                    $"{r.ShareOfMatmul:P0}", r.ShareOfPeak is { } s ? $"{s:P0}" : "-");
            console.Report.Write(table);
            console.Report.MarkupLineInterpolated($"[grey]{network} on 3×{side}×{side}: {flopsPerIteration / 1e6:0.0} MFLOP per image per iteration; reference 1024×1024 matmul {reference:0.0} GFLOP/s on {get_num_threads()} libtorch threads; device {target}; {Environment.ProcessorCount} processors[/]");
            console.WriteJson(new
            {
                preset = result.GetValue(preset),
                size = side,
                iterations = options.Iterations,
                input_noise = options.InputNoiseStd,
                horizon = share,
                workers = options.Workers,
                device = target.ToString(),
                processors = Environment.ProcessorCount,
                mflop_per_image_iteration = flopsPerIteration / 1e6,
                reference_matmul_gflops = reference,
                peak_gflops = result.GetValue(peak),
                rows = rows.Select(r => new
                {
                    batch = r.Batch,
                    ms_per_iteration = r.MsPerIteration,
                    ms_per_image_iteration = r.MsPerImageIteration,
                    seconds_per_image_at_1000 = r.SecondsPerImageAt1000,
                    seconds_per_image_at_1000_with_horizon = r.SecondsPerImageWithHorizon,
                    gflops = r.Gflops,
                    share_of_matmul = r.ShareOfMatmul,
                    share_of_peak = r.ShareOfPeak,
                }),
            });
            return 0;
        });
        return command;
    }

    sealed record Row(int Batch, double MsPerIteration, double MsPerImageIteration, double SecondsPerImageAt1000, double? SecondsPerImageWithHorizon, double Gflops, double ShareOfMatmul, double? ShareOfPeak);

    static int[] ParseSizes(string text)
    {
        var sizes = new List<int>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out int b) || b < 1)
                throw new ArgumentException($"--batch must be a comma-separated list of positive integers, e.g. 1,8,16; got '{item}'.");
            sizes.Add(b);
        }
        return [.. sizes];
    }

    /// <summary>Smooth random images (a seeded low-resolution pattern upsampled), so the timing does not depend on any data set.</summary>
    static Tensor Images(int count, int side, Device device)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0, CPU);
        var coarse = rand([count, 3, 4, 4], generator: generator);
        var smooth = nn.functional.interpolate(coarse, size: [side, side], mode: InterpolationMode.Bilinear, align_corners: false);
        return smooth.clamp(0, 1).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>GFLOP/s of a 1024×1024 float32 matrix product on the device with the process's libtorch threads (best of 5).</summary>
    static double ReferenceGflops(Device device)
    {
        using var scope = NewDisposeScope();
        var a = rand([1024, 1024], device: device);
        var b = rand([1024, 1024], device: device);
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 10; i++)
                a.mm(b).Dispose();
            if (device.type == DeviceType.CUDA)
                cuda.synchronize();
            best = Math.Min(best, clock.Elapsed.TotalSeconds / 10);
        }
        return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
    }
}
