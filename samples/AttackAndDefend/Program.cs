// AttackAndDefend: attack a few CIFAR-10 images with PGD, then take the attack back out with the decision-space
// Deep Image Prior purifier (Ding, Wang et al., ACM MM 2021). Only the core DipDefense package is used.
//
//   dotnet run                                     the paper's setting: 8 images, T = 1000 DIP iterations
//   dotnet run -- --count 2 --iterations 20        a quick try (a 20-iteration trace is far from the paper's setting)
//   dotnet run -- --data test_batch.bin --model my-cifar10.onnx
using System.Diagnostics;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Victims;

const string Usage = "usage: dotnet run -- [--data <CIFAR-10 .bin>] [--model <CIFAR-10 classifier .onnx>] [--count 8] [--iterations 1000]";

return Notebook.Run("AttackAndDefend", Usage, args, ["--data", "--model", "--count", "--iterations"], commandLine =>
{
    string dataPath = commandLine.Text("--data", SampleFolders.SharedCifar10)!;
    string modelPath = commandLine.Text("--model", SampleFolders.SharedResNet20)!;
    int count = commandLine.PositiveInt("--count", 8), iterations = commandLine.PositiveInt("--iterations", 1000);
    bool usesSharedDefaults = !commandLine.Has("--data") && !commandLine.Has("--model");
    if (usesSharedDefaults && !(File.Exists(dataPath) && File.Exists(modelPath)))
    {
        Console.WriteLine("The shared CIFAR-10 images and ResNet-20 victim are not here, so there is nothing to run:");
        Console.WriteLine($"  {dataPath}\n  {modelPath}");
        Console.WriteLine("They belong in ../shared beside the repository (or set DIPDEFENSE_SHARED); to use your own files:");
        Console.WriteLine(Usage);
        return 0;
    }
    RunNotebook(dataPath, modelPath, count, iterations);
    return 0;
});

static void RunNotebook(string dataPath, string modelPath, int count, int iterations)
{
    // ## 1. The victim: any ONNX image classifier, queried for labels only.
    Notebook.Heading("1. Load the victim classifier (ONNX)");
    using var victim = new OnnxClassifier(modelPath);
    Console.WriteLine($"{Path.GetFileName(modelPath)}: input '{victim.InputName}' {victim.Channels}x{victim.Height}x{victim.Width}, {victim.NumClasses} classes");

    // ## 2. A few test images: float32 [N, 3, 32, 32] in [0, 1] with int64 labels.
    Notebook.Heading("2. Read CIFAR-10 test images");
    using var all = DatasetReader.Read(dataPath);
    using var data = all.Slice(0, Math.Min(count, all.Count));
    victim.EnsureCompatible(data.Channels, data.Height, data.Width);
    long[] trueLabels = data.Labels.data<long>().ToArray();
    long[] cleanLabels = victim.PredictLabels(data.Images);
    Console.WriteLine($"{data.Count} of the {all.Count} images in {Path.GetFileName(dataPath)}");

    // ## 3. The attack: white-box PGD through the victim's differentiable TorchSharp import, saved as 8-bit images.
    Notebook.Heading("3. Attack them with PGD, eps = 8/255");
    using var attacked = PgdAttack.Run(modelPath, data.Images, data.Labels);
    long[] attackedLabels = victim.PredictLabels(attacked);

    // ## 4. The defense: fit a DIP network to each attacked image, watch the victim's labels along the fit,
    //       and rebuild the image from the snapshots where the label changes (docs/method.md).
    Notebook.Heading("4. Purify them with the decision-space DIP defense");
    var options = PaperSettings.WithIterations(iterations, batchSize: 16);
    Console.WriteLine(PaperSettings.Describe(options));
    var purifier = new DecisionSpacePurifier(victim, options);
    var clock = Stopwatch.StartNew();
    using var purification = purifier.Purify(attacked, new ConsoleTraceProgress());
    long[] purifiedLabels = purification.FinalLabels;
    Console.WriteLine($"{clock.Elapsed.TotalSeconds / data.Count:0.00} s per image");

    // ## 5. What the victim says before the attack, after it, and after the defense.
    Notebook.Heading("5. Results");
    string Name(long label) => data.ClassNames[(int)label];
    Notebook.PrintTable(["image", "true", "attacked", "purified"],
        Enumerable.Range(0, data.Count).Select(i => (IReadOnlyList<string>)
            [i.ToString(), Name(trueLabels[i]), Name(attackedLabels[i]), Name(purifiedLabels[i])]));
    Notebook.PrintAccuracy("clean", cleanLabels, trueLabels);
    Notebook.PrintAccuracy("attacked", attackedLabels, trueLabels);
    Notebook.PrintAccuracy("purified", purifiedLabels, trueLabels);
}
