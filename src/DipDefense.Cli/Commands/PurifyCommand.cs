using System.CommandLine;
using System.Diagnostics;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Dip;
using DipDefense.Evaluation;
using DipDefense.Metrics;
using DipDefense.Victims;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli.Commands;

/// <summary><c>dipdefense purify</c>: the decision-space DIP defense on a (possibly adversarial) image set.</summary>
internal static class PurifyCommand
{
    public static Command Create()
    {
        var victim = new VictimOptions();
        var defenses = new DefenseOptions();
        var data = new DataOptions();
        var device = new DeviceOption();
        var dipOptions = new PurifierOptionsBinding();
        var clean = new Option<string?>("--clean") { Description = "The clean images the inputs were made from (same order): adds SSIM against them." };
        var output = new Option<string>("--out") { Description = "Where to write the purified images, in the input's format (labels kept).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("purify", "Purify images with the decision-space Deep Image Prior defense (or a baseline: --defense) and measure the victim on them.");
        victim.AddTo(command);
        defenses.AddTo(command);
        data.AddTo(command);
        dipOptions.AddTo(command);
        foreach (var option in new Option[] { clean, output, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            var (outPath, format) = data.CheckOutput(result, output);
            var options = dipOptions.Build(result);
            var target = device.Resolve(result);

            using var inputs = data.Load(result);
            using var reference = result.GetValue(clean) is { } cleanPath ? LoadReference(cleanPath, result, data, inputs) : null;
            using var classifier = victim.Load(result, 100);
            classifier.EnsureCompatible(inputs.Channels, inputs.Height, inputs.Width);
            var defense = defenses.Choice(result, options);
            var purifier = defense.Create(classifier);

            var watch = Stopwatch.StartNew();
            int total = inputs.Count * defense.IterationsPerImage;
            using var purification = console.WithProgress("purifying", total, progress =>
            {
                var forward = new Progress<PurificationProgress>(p => progress.Report(p.ImagesDone * p.Iterations + p.ChunkCount * p.Iteration));
                using var onDevice = inputs.Images.to(target);
                return purifier.Purify(onDevice, forward);
            });
            double seconds = watch.Elapsed.TotalSeconds;
            // The decision-space purifier's own diagnostics; a baseline has none of these.
            var dip = purification as PurificationResult;

            // Measured on the 8-bit images that are saved.
            using var purified = new ImageDataset(EightBitQuantization.Quantize(purification.Purified.cpu()), inputs.Labels.clone(), inputs.ClassNames);
            var labels = inputs.Labels.data<long>().ToArray();
            var report = ClassifierEvaluation.Evaluate(classifier, purified, batchSize: 100);
            var unrounded = ClassifierEvaluation.Compare(dip?.FinalLabels ?? classifier.PredictLabels(purification.Purified), labels, inputs.ClassNames, seconds);
            double? ssim = null;
            if (reference is not null)
                using (var values = ImageQuality.Ssim(purified.Images, reference.Images))
                    ssim = values.mean().item<float>();
            var diagnostics = dip?.Diagnostics ?? [];
            double? Share(Func<PurificationDiagnostics, int, bool> test) => dip is null ? null : diagnostics.Where((d, i) => test(d, i)).Count() / (double)diagnostics.Count;
            double? crossings = Share((d, _) => !d.FallbackUsed);
            double? ceiling = Share((d, i) => d.TraceShowsLabel(labels[i], options.WarmUp));
            double? lockInMedian = dip is null ? null : Median(diagnostics.Select(d => (double)d.LockIn));
            double? passedThrough = Share((d, _) => d.PassedThrough);
            double? traceShare = dip is null ? null : diagnostics.Average(d => d.TraceShare);
            DatasetWriter.Write(purified, outPath, format);

            var timings = dip?.Timings;
            Print(console.Report, report, ssim, crossings, ceiling, seconds);
            console.WriteJson(new
            {
                count = report.Count,
                accuracy = Output.Number(report.Accuracy),
                accuracy_unrounded = Output.Number(unrounded.Accuracy),
                ssim,
                crossing_share = crossings,
                trace_ceiling = ceiling,
                lock_in_median = lockInMedian,
                passed_through_share = passedThrough,
                trace_share = traceShare,   // the share of the DIP fit that ran (early stops, horizon)
                images = diagnostics.Select((d, i) => new
                {
                    index = result.GetValue(data.Offset) + i,
                    label = labels[i],
                    input_label = d.InputLabel,
                    final_label = d.FinalLabel,
                    lock_in = d.LockIn,
                    true_label_after_warmup = d.TraceShowsLabel(labels[i], options.WarmUp),
                    used_pairs = d.UsedPairs,
                    passed_through = d.PassedThrough,
                    gate_support = d.GateSupport,
                    input_margin = Output.Number(d.InputMargin),
                    marking_traces = d.MarkingTraces,
                    voted_class = d.VotedClass,
                    output_trace = d.OutputTrace,
                    voted_snapshot = d.VotedSnapshot,
                    trace_share = d.TraceShare,
                }),
                seconds,
                seconds_per_image = seconds / report.Count,
                images_per_second = report.Count / seconds,
                defense = purifier.Name,
                stage_seconds = timings is not { } t ? null : new
                {
                    trace = t.Trace.TotalSeconds,
                    decision_mapping = t.DecisionMapping.TotalSeconds,
                    boundary_search = t.BoundarySearch.TotalSeconds,
                    stitching = t.Stitching.TotalSeconds,
                },
                options = dipOptions.ToJson(result, options),
                output = outPath,
            });
            return 0;
        });
        return command;
    }

    static ImageDataset LoadReference(string path, ParseResult result, DataOptions data, ImageDataset inputs)
    {
        using var all = DatasetReader.Read(path);
        var reference = all.Slice(result.GetValue(data.Offset), inputs.Count);
        if (!reference.Images.shape.SequenceEqual(inputs.Images.shape) || !reference.Labels.eq(inputs.Labels).all().item<bool>())
        {
            reference.Dispose();
            throw new ArgumentException($"--clean '{path}' does not match --data: the same images in the same order (same shape and labels) are expected.");
        }
        return reference;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    static void Print(IAnsiConsole console, ClassificationReport report, double? ssim, double? crossings, double? ceiling, double seconds)
    {
        var table = new Table().AddColumns("images", "accuracy", "SSIM vs clean", "traces with crossings", "true label on trace", "s/image");
        table.AddRow(report.Count.ToString(), $"{report.Accuracy:0.000}", ssim is { } s ? $"{s:0.000}" : "-", crossings is { } c ? $"{c:0.000}" : "-",
            ceiling is { } l ? $"{l:0.000}" : "-", $"{seconds / report.Count:0.00}");
        console.Write(table);
    }
}
