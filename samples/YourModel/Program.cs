// YourModel: put DipPurify in front of your own ONNX image classifier in an ML.NET pipeline, measure the victim's
// accuracy with and without it, and save the pipeline to one file. By default it runs on the CIFAR-10 slice and the
// ResNet-20 in ../shared (written out as PNG files first); --images and --model take your own.
//
//   dotnet run                                     8 CIFAR-10 images from ../shared, T = 1000 DIP iterations
//   dotnet run -- --count 4 --iterations 20        a quick try (a 20-iteration trace is far from the paper's setting)
//   dotnet run -- --images my_folder --model my.onnx --mean 0.485 0.456 0.406 --std 0.229 0.224 0.225
using System.Diagnostics;
using DipDefense.Data;
using DipDefense.MLNet;
using DipDefense.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;
using static Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator;

const string Usage =
    "usage: dotnet run -- [--images <image folder: one subfolder per class, classes.txt in label order>] [--model <classifier .onnx>]\n" +
    "                     [--input-name X] [--output-name Y] [--scale 1] [--mean m1 m2 m3] [--std s1 s2 s3]\n" +
    "                     [--count 8] [--iterations 1000] [--out samples/YourModel/out]";
string[] options = ["--images", "--model", "--input-name", "--output-name", "--scale", "--mean", "--std", "--count", "--iterations", "--out"];

return Notebook.Run("YourModel", Usage, args, options, commandLine =>
{
    string output = Path.GetFullPath(commandLine.Text("--out", SampleFolders.DefaultOutput("YourModel"))!);
    bool own = commandLine.Has("--images") || commandLine.Has("--model");
    if (own && !(commandLine.Has("--images") && commandLine.Has("--model")))
        throw new ArgumentException("--images and --model go together: your images and the classifier they are for.");
    if (!own && !(File.Exists(SampleFolders.SharedCifar10) && File.Exists(SampleFolders.SharedResNet20)))
    {
        Console.WriteLine("The shared CIFAR-10 images and ResNet-20 victim are not here, so there is nothing to run:");
        Console.WriteLine($"  {SampleFolders.SharedCifar10}\n  {SampleFolders.SharedResNet20}");
        Console.WriteLine("They belong in ../shared beside the repository (or set DIPDEFENSE_SHARED); to use your own files:");
        Console.WriteLine(Usage);
        return 0;
    }
    var victimOptions = new OnnxClassifierOptions
    {
        InputName = commandLine.Text("--input-name"),
        OutputName = commandLine.Text("--output-name"),
        Scale = commandLine.Numbers("--scale") is { } scale ? scale.Single() : 1f,
        Mean = commandLine.Numbers("--mean"),
        Std = commandLine.Numbers("--std"),
    };
    int count = commandLine.PositiveInt("--count", 8), iterations = commandLine.PositiveInt("--iterations", 1000);
    string model = own ? commandLine.Text("--model")! : SampleFolders.SharedResNet20;
    RunNotebook(model, victimOptions, own ? commandLine.Text("--images")! : null, count, iterations, output);
    return 0;
});

static void RunNotebook(string model, OnnxClassifierOptions victimOptions, string? imageFolder, int count, int iterations, string output)
{
    // ## 1. The victim: its input and output names, its image size, and the preprocessing it expects. DipPurify feeds
    //       it through the same OnnxClassifierOptions: (x · Scale − Mean[c]) / Std[c] for pixels x in [0, 1].
    Notebook.Heading("1. Load the victim classifier (ONNX)");
    using var victim = new OnnxClassifier(model, victimOptions);
    if (victim is not { Channels: int channels, Height: int height, Width: int width })
        throw new InvalidDataException($"'{model}' leaves its image size open; the pipeline resizes images to the size the model fixes.");
    Console.WriteLine($"{Path.GetFileName(model)}: input '{victim.InputName}' {channels}x{height}x{width}, output '{victim.OutputName}', {victim.NumClasses} classes");
    var preprocessing = PixelPreprocessing.Of(victimOptions, channels);
    Console.WriteLine($"preprocessing: {preprocessing}");

    // ## 2. ML.NET pipelines read image files. The shared CIFAR-10 images are written as an image folder
    //       (root/<class>/<index>.png and classes.txt); your folder is read as it is.
    Notebook.Heading("2. List the image files");
    imageFolder ??= WriteSharedImages(count, Path.Combine(output, "cifar10"));
    var listing = ImageFolderFormat.ListFiles(imageFolder);
    // Spread the rows over the folder, whose files come sorted by class.
    var rows = Enumerable.Range(0, Math.Min(count, listing.Files.Count)).Select(i => i * listing.Files.Count / Math.Min(count, listing.Files.Count))
        .Select(i => new ImageFile { Path = listing.Files[i], Label = listing.Labels[i] }).ToArray();
    Console.WriteLine($"{rows.Length} of the {listing.Files.Count} images in {imageFolder}, {listing.ClassNames.Count} classes");
    if (listing.ClassNames.Count != victim.NumClasses)
        throw new InvalidDataException($"'{imageFolder}' has {listing.ClassNames.Count} classes but the victim has {victim.NumClasses}.");

    // ## 3. Without the defense: LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel. ExtractPixels computes
    //       (p − offset) · scale on pixel bytes p, so the victim's preprocessing becomes one offset and scale per channel.
    //       ApplyOnnxModel binds columns to the model's node names.
    Notebook.Heading("3. The pipeline without the defense");
    var mlContext = new MLContext(seed: 0);
    var files = mlContext.Data.LoadFromEnumerable(rows);
    var load = mlContext.Transforms.LoadImages("image", null, nameof(ImageFile.Path))
        .Append(mlContext.Transforms.ResizeImages("image", width, height));
    var classify = mlContext.Transforms.ApplyOnnxModel(victim.OutputName, victim.InputName, model);
    var undefended = load.Append(preprocessing.Extract(mlContext, victim.InputName, "image")).Append(classify);
    Console.WriteLine($"LoadImages → ResizeImages {width}x{height} → {preprocessing.Stages} → ApplyOnnxModel ({Path.GetFileName(model)})");
    using var undefendedModel = undefended.Fit(files);
    long[] undefendedLabels = Labels(undefendedModel.Transform(files), victim.OutputName);
    long[] truth = rows.Select(r => r.Label).ToArray();
    Console.WriteLine($"without the defense, the victim labels {undefendedLabels.Zip(truth).Count(p => p.First == p.Second)} of {rows.Length} images right");

    // ## 4. With the defense, DipPurify goes before the victim. An RGB victim gets the purified MLImage (rounded to
    //       8 bits, as a saved file would be) and extracts its input from it as before. An MLImage is purified as RGB,
    //       so a grey victim gets its extracted input purified instead: DipPurify is told the same offset and scale.
    Notebook.Heading("4. The pipeline with the defense");
    var settings = PaperSettings.WithIterations(iterations, batchSize: Math.Min(rows.Length, 16));
    Console.WriteLine(PaperSettings.Describe(settings));
    EstimatorChain<Microsoft.ML.Transforms.Onnx.OnnxTransformer> defended;
    if (channels == 3)
    {
        var purify = DipPurifyOptions.FromPurifierOptions(settings, model, outputColumnName: "purified", inputColumnName: "image");
        purify.Victim = victimOptions;
        defended = load.Append(mlContext.Transforms.DipPurify(purify))
            .Append(preprocessing.Extract(mlContext, victim.InputName, "purified")).Append(classify);
        Console.WriteLine($"LoadImages → ResizeImages → DipPurify (image) → {preprocessing.Stages} → ApplyOnnxModel");
    }
    else
    {
        var purify = DipPurifyOptions.FromPurifierOptions(settings, model, outputColumnName: victim.InputName, inputColumnName: victim.InputName);
        purify.Victim = victimOptions;
        (purify.OffsetImage, purify.ScaleImage) = (preprocessing.Offsets[0], preprocessing.Scales[0]);
        defended = load.Append(preprocessing.Extract(mlContext, victim.InputName, "image"))
            .Append(mlContext.Transforms.DipPurify(purify)).Append(classify);
        Console.WriteLine($"LoadImages → ResizeImages → {preprocessing.Stages} → DipPurify (pixels) → ApplyOnnxModel");
    }
    var clock = Stopwatch.StartNew();
    using var defendedModel = defended.Fit(files);
    long[] defendedLabels = Labels(defendedModel.Transform(files), victim.OutputName);
    Console.WriteLine($"{rows.Length} images in {clock.Elapsed.TotalSeconds:0.0} s ({clock.Elapsed.TotalSeconds / rows.Length:0.00} s per image)");

    string Name(long label) => listing.ClassNames[(int)label];
    Notebook.PrintTable(["file", "true", "undefended", "defended"],
        Enumerable.Range(0, rows.Length).Select(i => (IReadOnlyList<string>)
            [Path.GetRelativePath(imageFolder, rows[i].Path), Name(truth[i]), Name(undefendedLabels[i]), Name(defendedLabels[i])]));
    Notebook.PrintAccuracy("undefended", undefendedLabels, truth);
    Notebook.PrintAccuracy("defended", defendedLabels, truth);
    Console.WriteLine("(clean images: this is what the defense costs on them; QuickStart and AttackAndDefend attack the images first)");

    // ## 5. mlContext.Model.Save cannot store DipPurify (ML.NET keeps what it would need internal): DipPurifyModel saves
    //       the whole pipeline to one file, with the ML.NET stages in ML.NET's own format and the victim's bytes.
    Notebook.Heading("5. Save the pipeline and load it back");
    string path = Path.Combine(Directory.CreateDirectory(output).FullName, "pipeline.zip");
    DipPurifyModel.Save(mlContext, defendedModel, files.Schema, path);
    using var loaded = (TransformerChain<ITransformer>)DipPurifyModel.Load(mlContext, path, out var schema);
    Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes, {loaded.Count()} transformers, input columns {string.Join(", ", schema.Select(c => c.Name))}");
    // Row r is purified with seed Seed + r in any pipeline, so the first rows alone must come out as before.
    int check = Math.Min(2, rows.Length);
    long[] reloadedLabels = Labels(loaded.Transform(mlContext.Data.TakeRows(files, check)), victim.OutputName);
    Console.WriteLine($"the loaded pipeline labels the first {check} rows {string.Join(", ", reloadedLabels.Select(Name))}; " +
        $"the original: {string.Join(", ", defendedLabels.Take(check).Select(Name))}");
}

// Writes the first count shared CIFAR-10 test images as PNG files (replacing an earlier run's); returns the folder.
static string WriteSharedImages(int count, string root)
{
    using var all = DatasetReader.Read(SampleFolders.SharedCifar10);
    using var data = all.Slice(0, Math.Min(count, all.Count));
    if (Directory.Exists(root))
        Directory.Delete(root, recursive: true);
    DatasetWriter.Write(data, root, DatasetFormat.ImageFolder);
    return root;
}

// The victim's label of every row: the arg-max of its logits column.
static long[] Labels(IDataView scored, string logitsColumn) =>
    scored.GetColumn<float[]>(logitsColumn).Select(logits => (long)Array.IndexOf(logits, logits.Max())).ToArray();

/// <summary>A row of the pipelines' input: an image file and its label.</summary>
sealed class ImageFile
{
    public string Path { get; set; } = "";

    public long Label { get; set; }
}
