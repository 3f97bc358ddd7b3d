// AttackAndDefend: attack a few CIFAR-10 images with PGD, then take the attack back out with the decision-space
// Deep Image Prior purifier (Ding, Wang et al., ACM MM 2021). Only the core DipDefense package is used.
//
//   dotnet run                                     the paper's setting: 8 images, T = 1000 DIP iterations
//   dotnet run -- --count 2 --iterations 20        a quick try (a 20-iteration trace is far from the paper's setting)
//   dotnet run -- --data test_batch.bin --model my-cifar10.onnx
using System.Diagnostics;
using DipDefense.Attacks;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Onnx;
using DipDefense.Victims;

SampleArguments arguments;
try
{
    arguments = SampleArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"AttackAndDefend: {e.Message}");
    Console.Error.WriteLine(SampleArguments.Usage);
    return 2;
}

if (arguments.UsesSharedDefaults && !(File.Exists(arguments.DataPath) && File.Exists(arguments.ModelPath)))
{
    Console.WriteLine("The shared CIFAR-10 images and ResNet-20 victim are not here, so there is nothing to run:");
    Console.WriteLine($"  {arguments.DataPath}\n  {arguments.ModelPath}");
    Console.WriteLine("They belong in ../shared beside the repository (or set DIPDEFENSE_SHARED); to use your own files:");
    Console.WriteLine(SampleArguments.Usage);
    return 0;
}

try
{
    RunNotebook(arguments);
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or NotSupportedException)
{
    Console.Error.WriteLine($"AttackAndDefend: {e.Message}");
    return 2;
}

static void RunNotebook(SampleArguments arguments)
{
    // ## 1. The victim: any ONNX image classifier, queried for labels only.
    Heading("1. Load the victim classifier (ONNX)");
    using var victim = new OnnxClassifier(arguments.ModelPath);
    Console.WriteLine($"{Path.GetFileName(arguments.ModelPath)}: input '{victim.InputName}' {victim.Channels}x{victim.Height}x{victim.Width}, {victim.NumClasses} classes");

    // ## 2. A few test images: float32 [N, 3, 32, 32] in [0, 1] with int64 labels.
    Heading("2. Read CIFAR-10 test images");
    using var all = DatasetReader.Read(arguments.DataPath);
    using var data = all.Slice(0, Math.Min(arguments.Count, all.Count));
    victim.EnsureCompatible(data.Channels, data.Height, data.Width);
    long[] trueLabels = data.Labels.data<long>().ToArray();
    long[] cleanLabels = victim.PredictLabels(data.Images);
    Console.WriteLine($"{data.Count} of the {all.Count} images in {Path.GetFileName(arguments.DataPath)}");

    // ## 3. The attack: white-box PGD through the victim's differentiable TorchSharp import.
    Heading("3. Attack them with PGD, eps = 8/255");
    const double eps = 8.0 / 255;
    using var differentiable = OnnxImporter.Load(arguments.ModelPath);
    var pgd = new Pgd(differentiable, eps, alpha: 2.0 / 255, steps: 10, seed: 0);
    using var crafted = pgd.Run(data.Images, data.Labels);
    // An attacker hands over image files: round to 8 bits without leaving the eps-ball.
    using var attacked = EightBitQuantization.Quantize(crafted, data.Images, eps);
    long[] attackedLabels = victim.PredictLabels(attacked);
    Console.WriteLine($"PGD: {pgd.Steps} steps of {pgd.Alpha * 255:0}/255, random start (seed {pgd.Seed})");

    // ## 4. The defense: fit a DIP network to each attacked image, watch the victim's labels along the fit,
    //       and rebuild the image from the snapshots where the label changes (docs/method.md).
    Heading("4. Purify them with the decision-space DIP defense");
    var options = PaperSettings(arguments.Iterations);
    Console.WriteLine($"DIP: medium network, T = {options.Trace.Iterations} iterations, M = {options.Trace.Snapshots} snapshots, warm-up {options.WarmUp}, N = {options.Pairs}, batch {options.BatchSize}");
    var purifier = new DecisionSpacePurifier(victim, options);
    var clock = Stopwatch.StartNew();
    using var purification = purifier.Purify(attacked, new ConsoleTraceProgress());
    long[] purifiedLabels = purification.FinalLabels;
    Console.WriteLine($"{clock.Elapsed.TotalSeconds / data.Count:0.00} s per image");

    // ## 5. What the victim says before the attack, after it, and after the defense.
    Heading("5. Results");
    Console.WriteLine($"{"image",5}  {"true",-12}{"attacked",-12}purified");
    for (int i = 0; i < data.Count; i++)
        Console.WriteLine($"{i,5}  {data.ClassNames[(int)trueLabels[i]],-12}{data.ClassNames[(int)attackedLabels[i]],-12}{data.ClassNames[(int)purifiedLabels[i]]}");
    Console.WriteLine();
    PrintAccuracy("clean", cleanLabels, trueLabels);
    PrintAccuracy("attacked", attackedLabels, trueLabels);
    PrintAccuracy("purified", purifiedLabels, trueLabels);
}

// The paper's trace is T = 1000 Adam iterations with a snapshot every 5 (M = 200) and a warm-up of 20 snapshots.
// A shorter --iterations keeps the snapshot interval and the warm-up's share of the trace.
static PurifierOptions PaperSettings(int iterations)
{
    var paper = new PurifierOptions();
    int interval = paper.Trace.SnapshotInterval;
    int snapshots = Math.Max(2, iterations / interval);
    return paper with
    {
        Trace = paper.Trace with { Iterations = snapshots * interval, Snapshots = snapshots },
        WarmUp = paper.WarmUp * snapshots / paper.Trace.Snapshots,
        Pairs = Math.Min(paper.Pairs, snapshots),
    };
}

static void Heading(string title) => Console.WriteLine($"\n## {title}");

static void PrintAccuracy(string name, long[] predicted, long[] truth)
{
    int correct = predicted.Zip(truth).Count(p => p.First == p.Second);
    Console.WriteLine($"{name + " accuracy",-18} {(double)correct / truth.Length:0.000} ({correct}/{truth.Length})");
}
