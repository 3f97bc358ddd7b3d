using System.CommandLine;
using System.Diagnostics;
using DipDefense.Attacks;
using DipDefense.Data;
using DipDefense.Onnx;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli.Commands;

/// <summary><c>dipdefense attack</c>: crafts adversarial images against an ONNX classifier and saves them.</summary>
internal static class AttackCommand
{
    public static Command Create()
    {
        var victim = new VictimOptions();
        var data = new DataOptions();
        var device = new DeviceOption();
        var attack = new Option<string>("--attack") { Description = "fgsm, pgd, bim, mifgsm, apgd (APGD-CE), cw, ddn, or hsj (HopSkipJump, decision-based L2).", Required = true };
        attack.AcceptOnlyFromAmong(AttackChoice.Names);
        var eps = new Option<string>("--eps") { Description = "L∞ budget of fgsm/pgd/bim/mifgsm/apgd, a number or a fraction.", DefaultValueFactory = _ => "8/255" };
        var alpha = new Option<string?>("--alpha") { Description = "Step size of pgd/bim/mifgsm (default 2/255)." };
        var steps = new Option<int?>("--steps") { Description = "Iterations (defaults: pgd/bim/mifgsm/apgd 10, cw 50, ddn 100)." };
        var kappa = new Option<double>("--kappa") { Description = "Confidence margin κ of cw: the adversarial's logit margin over the true class reaches at least κ (0: just across the boundary).", DefaultValueFactory = _ => 0 };
        var queries = new Option<int>("--queries") { Description = "Query budget per image of hsj.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Images attacked together.", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Where to write the adversarial images, in the input's format (true labels kept).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("attack", "Attack an ONNX classifier (white-box through its differentiable TorchSharp import, or decision-based) and save the adversarial images.");
        victim.AddTo(command);
        data.AddTo(command);
        foreach (var option in new Option[] { attack, eps, alpha, steps, kappa, queries, seed, batch, output, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            var (outPath, format) = data.CheckOutput(result, output);
            string name = result.GetValue(attack)!;
            int batchSize = result.GetValue(batch);
            if (batchSize < 1)
                throw new ArgumentException($"--batch must be at least 1; got {batchSize}.");
            var settings = new AttackChoice.Settings(
                Fraction.ParseBudget(result.GetValue(eps)!, "--eps"),
                result.GetValue(alpha) is { } a ? Fraction.Parse(a, "--alpha") : null,
                result.GetValue(steps),
                result.GetValue(seed),
                result.GetValue(queries),
                result.GetValue(kappa));
            var target = device.Resolve(result);

            using var clean = data.Load(result);
            using var classifier = victim.Load(result, batchSize);
            classifier.EnsureCompatible(clean.Channels, clean.Height, clean.Width);
            using var module = AttackChoice.IsWhiteBox(name) ? OnnxImporter.Load(result.GetValue(victim.Model)!.FullName, target) : null;
            var attacker = AttackChoice.Create(name, () => module!, classifier, settings);

            var watch = Stopwatch.StartNew();
            using var adversarial = console.WithProgress($"{attacker.Name}", clean.Count, progress =>
                RunInBatches(attacker, clean, batchSize, target, progress));
            using var saved = AttackChoice.ToEightBit(name, settings, classifier, clean.Images, adversarial, clean.Labels);
            double seconds = watch.Elapsed.TotalSeconds;

            var unrounded = AttackReport.Compute(classifier, clean.Images, adversarial, clean.Labels);
            var report = AttackReport.Compute(classifier, clean.Images, saved, clean.Labels);
            using (var result8 = new ImageDataset(saved.clone(), clean.Labels.clone(), clean.ClassNames))
                DatasetWriter.Write(result8, outPath, format);

            Print(console.Report, attacker.Name, report, seconds);
            console.WriteJson(new
            {
                attack = name,
                eps = AttackChoice.IsLinf(name) ? settings.Eps : (double?)null,
                count = report.Count,
                clean_accuracy = report.CleanAccuracy,
                adversarial_accuracy = report.AdversarialAccuracy,
                adversarial_accuracy_before_rounding = unrounded.AdversarialAccuracy,
                accuracy_within_l2 = AttackChoice.L2Radii.ToDictionary(r => r.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                    r => AttackReport.AccuracyWithinL2(classifier, clean.Images, saved, clean.Labels, r)),
                success_rate = report.SuccessRate,
                mean_linf = report.MeanLinf,
                max_linf = report.MaxLinf,
                mean_l2 = report.MeanL2,
                max_l2 = report.MaxL2,
                seconds,
                output = outPath,
            });
            return 0;
        });
        return command;
    }

    static Tensor RunInBatches(Attack attack, ImageDataset data, int batchSize, Device device, IProgress<int> progress)
    {
        var parts = new List<Tensor>();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            var images = data.Images.narrow(0, start, n).to(device);
            var labels = data.Labels.narrow(0, start, n).to(device);
            parts.Add(attack.Run(images, labels).cpu().MoveToOuterDisposeScope());
            progress.Report(start + n);
        }
        var all = torch.cat(parts, 0);
        parts.ForEach(p => p.Dispose());
        return all;
    }

    static void Print(IAnsiConsole console, string attack, AttackReport r, double seconds)
    {
        var table = new Table().AddColumns("attack", "images", "clean acc", "adv acc", "success", "mean L∞", "max L∞", "mean L2", "max L2", "seconds");
        table.AddRow(Markup.Escape(attack), r.Count.ToString(), $"{r.CleanAccuracy:0.000}", $"{r.AdversarialAccuracy:0.000}", $"{r.SuccessRate:0.000}",
            $"{r.MeanLinf * 255:0.00}/255", $"{r.MaxLinf * 255:0.00}/255", $"{r.MeanL2:0.000}", $"{r.MaxL2:0.000}", $"{seconds:0.0}");
        console.Write(table);
    }
}
