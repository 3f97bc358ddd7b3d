// QuickStart: the decision-space Deep Image Prior defense (Ding, Wang et al., ACM MM 2021) in an ML.NET pipeline, on
// what the repository ships in samples/assets: a small Fashion-MNIST CNN (ONNX) and 20 of its test images (PNG).
// It attacks the images with PGD, purifies the attacked files through LoadImages → ResizeImages → ExtractPixels →
// DipPurify → ApplyOnnxModel, prints the victim's labels before and after, and draws a grid and a decision trace.
//
//   dotnet run                                     20 images, T = 1000 DIP iterations (the paper's trace)
//   dotnet run -- --count 3 --iterations 20        a quick try (a 20-iteration trace is far from the paper's setting)
//   dotnet run -- --out /tmp/quickstart            where the PNG files go (default samples/QuickStart/out)
using System.Diagnostics;
using DipDefense.Data;
using DipDefense.MLNet;
using DipDefense.Victims;
using DipDefense.Visualization;
using Microsoft.ML;
using Microsoft.ML.Data;
using static Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator;
using static TorchSharp.torch;

const string Usage = "usage: dotnet run -- [--count 20] [--iterations 1000] [--out samples/QuickStart/out]";

return Notebook.Run("QuickStart", Usage, args, ["--count", "--iterations", "--out"], commandLine =>
{
    RunNotebook(commandLine.PositiveInt("--count", 20), commandLine.PositiveInt("--iterations", 1000),
        Path.GetFullPath(commandLine.Text("--out", SampleFolders.DefaultOutput("QuickStart"))!));
    return 0;
});

static void RunNotebook(int count, int iterations, string output)
{
    string model = SampleFolders.ShippedVictim;

    // ## 1. The victim takes grey 28×28 images in [0, 1] and returns 10 logits; the images are an image folder
    //       (one subfolder per class, classes.txt), read as float32 [N, 1, 28, 28] with their labels.
    Notebook.Heading("1. Load the shipped victim and test images (samples/assets)");
    using var victim = new OnnxClassifier(model);
    using var all = DatasetReader.Read(SampleFolders.ShippedImages);
    using var data = all.Slice(0, Math.Min(count, all.Count));
    victim.EnsureCompatible(data.Channels, data.Height, data.Width);
    long[] truth = data.Labels.data<long>().ToArray();
    long[] clean = victim.PredictLabels(data.Images);
    Console.WriteLine($"{Path.GetFileName(model)}: input '{victim.InputName}' {victim.Channels}x{victim.Height}x{victim.Width}, output '{victim.OutputName}', {victim.NumClasses} classes");
    Console.WriteLine($"{data.Count} of the {all.Count} images in samples/assets/images");

    // ## 2. The attacker's side: white-box PGD on the victim's differentiable import, handed over as PNG files.
    Notebook.Heading("2. Attack them with PGD and save the adversarial images as PNG files");
    using var adversarial = PgdAttack.Run(model, data.Images, data.Labels);
    long[] attacked = victim.PredictLabels(adversarial);
    string adversarialFolder = Path.Combine(output, "adversarial");
    string[] files = WriteImageFolder(adversarial, data, adversarialFolder);
    Console.WriteLine($"{files.Length} PNG files in {adversarialFolder}");

    // ## 3. The defender's side: an ML.NET pipeline that reads the files, turns them into the victim's input and
    //       purifies that input before the victim sees it. ResizeImages gives the images the known size ExtractPixels
    //       needs (the files are 28×28 already). ExtractPixels takes the red plane (R = G = B in a grey PNG) scaled
    //       to [0, 1]; DipPurify is told that scale, and writes the purified pixels with the same one.
    Notebook.Heading("3. Build the ML.NET pipeline");
    var settings = PaperSettings.WithIterations(iterations, batchSize: data.Count);
    // ApplyOnnxModel binds columns to the model's node names: the shipped victim's are "input" and "output".
    var purify = DipPurifyOptions.FromPurifierOptions(settings, model, outputColumnName: "input", inputColumnName: "pixels");
    purify.ScaleImage = 1f / 255;
    purify.PurifiedLabelColumnName = "purified_label";
    purify.CrossingsFoundColumnName = "crossings_found";
    var mlContext = new MLContext(seed: 0);
    var pipeline = mlContext.Transforms.LoadImages("image", adversarialFolder, nameof(ImageFile.Path))
        .Append(mlContext.Transforms.ResizeImages("image", data.Width, data.Height))
        .Append(mlContext.Transforms.ExtractPixels("pixels", "image", colorsToExtract: ColorBits.Red, scaleImage: 1f / 255))
        .Append(mlContext.Transforms.DipPurify(purify))
        .Append(mlContext.Transforms.ApplyOnnxModel("output", "input", model));
    Console.WriteLine($"LoadImages → ResizeImages {data.Width}x{data.Height} → ExtractPixels (grey, 1/255) → DipPurify → ApplyOnnxModel ({Path.GetFileName(model)})");
    Console.WriteLine(PaperSettings.Describe(settings));

    // ## 4. Nothing runs until a cursor reads the purified column: then DipPurify purifies BatchSize rows at a time
    //       (here all of them, in one batched DIP computation), and the victim classifies the purified pixels.
    Notebook.Heading("4. Purify the adversarial files through the pipeline");
    var input = mlContext.Data.LoadFromEnumerable(files.Select(f => new ImageFile { Path = f }));
    var clock = Stopwatch.StartNew();
    using var fitted = pipeline.Fit(input);
    var rows = mlContext.Data.CreateEnumerable<PurifiedImage>(fitted.Transform(input), reuseRowObject: false).ToList();
    long[] purifiedLabels = rows.Select(r => ArgMax(r.Logits)).ToArray();
    Console.WriteLine($"{rows.Count} images in {clock.Elapsed.TotalSeconds:0.0} s ({clock.Elapsed.TotalSeconds / rows.Count:0.00} s per image)");
    Console.WriteLine($"the victim's label (ApplyOnnxModel) equals DipPurify's purified_label on {rows.Count(r => r.PurifiedLabel == ArgMax(r.Logits))} of {rows.Count} rows; " +
        $"the output came from the trace's decisions (a crossing pair, or the vote) on {rows.Count(r => r.CrossingsFound)}");
    using var purified = tensor(rows.SelectMany(r => r.Pixels).ToArray(), [rows.Count, data.Channels, data.Height, data.Width]);
    string purifiedFolder = Path.Combine(output, "purified");
    WriteImageFolder(purified, data, purifiedFolder);
    Console.WriteLine($"{rows.Count} PNG files in {purifiedFolder}");

    // ## 5. The victim's labels: the attack changes some of them, the defense should give them back.
    Notebook.Heading("5. Results");
    string Name(long label) => data.ClassNames[(int)label];
    Notebook.PrintTable(["file", "true", "clean", "adversarial", "purified"],
        Enumerable.Range(0, rows.Count).Select(i => (IReadOnlyList<string>)
            [files[i], Name(truth[i]), Name(clean[i]), Name(attacked[i]), Name(purifiedLabels[i])]));
    Notebook.PrintAccuracy("clean", clean, truth);
    Notebook.PrintAccuracy("adversarial", attacked, truth);
    Notebook.PrintAccuracy("purified", purifiedLabels, truth);

    // ## 6. One row per image: clean | adversarial | purified, each captioned with the victim's label.
    Notebook.Heading("6. Draw the images");
    string gridPath = Path.Combine(output, "grid.png");
    var layout = ImageGrid.SaveColumns([data.Images, adversarial, purified], gridPath,
        Enumerable.Range(0, rows.Count).Select(i => (IReadOnlyList<string?>)[Name(clean[i]), Name(attacked[i]), Name(purifiedLabels[i])]).ToArray(),
        new ImageGridOptions { ColumnTitles = ["clean", "adversarial", "purified"], RowTitles = truth.Select(Name).ToArray() });
    Console.WriteLine($"{gridPath}: {layout.Width}x{layout.Height} pixels (row titles: the true class; captions: the victim's label)");

    // ## 7. Why the defense works (the paper's Fig. 10): along the DIP trace of an attacked image, the victim's
    //       confidence of the true class and of the adversarial class. The traces are run again with the seeds the
    //       pipeline gave that row, so they are the pipeline's own, with the purifier's diagnostics (the plot: the first trace). It shows
    //       most where the attack turned the label and the trace crossed a decision boundary.
    Notebook.Heading("7. Draw the decision trace of one attacked image");
    int pick = Enumerable.Range(0, rows.Count)
        .OrderByDescending(i => clean[i] == truth[i] && attacked[i] != truth[i])
        .ThenByDescending(i => rows[i].CrossingsFound).First();
    using var image = adversarial[pick];
    var trace = ExplainedTrace.Run(victim, settings, image, pick, new ConsoleTraceProgress());
    var d = trace.Diagnostics;
    string decision = d.VotedClass is { } voted ? $"marked as adversarial, the snapshots vote for {Name(voted)} (output: snapshot {d.VotedSnapshot})"
        : d.PassedThrough ? "passed through as its last snapshot"
        : d.FallbackUsed ? $"fallback to the last {d.OnBoundaryCount} snapshots" : $"{Notebook.Count(d.UsedPairs.Length, "pair")} used";
    Console.WriteLine($"{files[pick]}: true {Name(truth[pick])}, adversarial {Name(attacked[pick])}; " +
        $"{Notebook.Count(d.Crossings.Length, "crossing")}, {decision}, purified label {Name(d.FinalLabel)} (the pipeline's: {Name(rows[pick].PurifiedLabel)})");
    string tracePath = Path.Combine(output, "trace.png");
    trace.SavePlot(tracePath, truth[pick], attacked[pick], data.ClassNames);
    Console.WriteLine($"{tracePath}: the confidences of {Name(truth[pick])} and {Name(attacked[pick])} at {d.TraceLabels.Length} snapshots, crossings dashed");
}

// Writes images [N, C, H, W] as an image folder (root/<class>/<index>.png and classes.txt), replacing an earlier run's;
// returns the files relative to root, in row order.
static string[] WriteImageFolder(Tensor images, ImageDataset source, string root)
{
    if (Directory.Exists(root))
        Directory.Delete(root, recursive: true);
    using var set = new ImageDataset(images.clone(), source.Labels.clone(), source.ClassNames);
    DatasetWriter.Write(set, root, DatasetFormat.ImageFolder);
    return Directory.GetFiles(root, "*.png", SearchOption.AllDirectories)
        .OrderBy(Path.GetFileName, StringComparer.Ordinal) // the file name is the row index, zero-padded
        .Select(file => Path.GetRelativePath(root, file)).ToArray();
}

static long ArgMax(float[] logits) => Array.IndexOf(logits, logits.Max());

/// <summary>A row of the pipeline's input: one PNG file, relative to the folder given to LoadImages.</summary>
sealed class ImageFile
{
    public string Path { get; set; } = "";
}

/// <summary>The columns read from the pipeline's output.</summary>
sealed class PurifiedImage
{
    /// <summary>The purified pixels in [0, 1], planar [1, 28, 28]: DipPurify's output column, the victim's input.</summary>
    [ColumnName("input")]
    public float[] Pixels { get; set; } = [];

    /// <summary>The victim's logits of the purified image (ApplyOnnxModel).</summary>
    [ColumnName("output")]
    public float[] Logits { get; set; } = [];

    [ColumnName("purified_label")]
    public long PurifiedLabel { get; set; }

    [ColumnName("crossings_found")]
    public bool CrossingsFound { get; set; }
}
