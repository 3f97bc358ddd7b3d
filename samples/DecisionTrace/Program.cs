// DecisionTrace: one attacked image's DIP trace, explained step by step as the decision-space purifier (Ding, Wang et
// al., ACM MM 2021; docs/method.md) reads it: the victim's label and the SSIM to the input along the trace, the label
// changes that count as crossings, the on-boundary search (λ*), the fallback, and the final label; then the plot of the
// paper's Fig. 10. By default it runs on the shipped Fashion-MNIST victim and images (samples/assets).
//
//   dotnet run                                     an image the attack turns, T = 1000 DIP iterations
//   dotnet run -- --index 12 --iterations 200      another image, a shorter trace
//   dotnet run -- --images my_folder --model my.onnx --out /tmp/trace
using DipDefense.Data;
using DipDefense.Victims;

const string Usage = "usage: dotnet run -- [--index K (default: the first image the attack turns whose trace crosses)] [--iterations 1000] [--out samples/DecisionTrace/out]\n" +
                     "                     [--images <image folder>] [--model <classifier .onnx>]";

return Notebook.Run("DecisionTrace", Usage, args, ["--index", "--iterations", "--out", "--images", "--model"], commandLine =>
{
    int? index = commandLine.Has("--index") ? commandLine.NonNegativeInt("--index", 0) : null;
    RunNotebook(commandLine.Text("--images", SampleFolders.ShippedImages)!, commandLine.Text("--model", SampleFolders.ShippedVictim)!,
        index, commandLine.PositiveInt("--iterations", 1000),
        Path.GetFullPath(commandLine.Text("--out", SampleFolders.DefaultOutput("DecisionTrace"))!));
    return 0;
});

static void RunNotebook(string images, string model, int? index, int iterations, string output)
{
    // ## 1. The victim and its test images.
    Notebook.Heading("1. Load the victim and the images");
    using var victim = new OnnxClassifier(model);
    using var data = DatasetReader.Read(images);
    victim.EnsureCompatible(data.Channels, data.Height, data.Width);
    Console.WriteLine($"{Path.GetFileName(model)}: {victim.NumClasses} classes; {data.Count} images in {images}");

    // ## 2. PGD on all images (cheap); the images whose label it turns are the candidates.
    Notebook.Heading("2. Attack them with PGD");
    using var adversarial = PgdAttack.Run(model, data.Images, data.Labels);
    long[] truth = data.Labels.data<long>().ToArray(), clean = victim.PredictLabels(data.Images), attacked = victim.PredictLabels(adversarial);
    if (index >= data.Count)
        throw new ArgumentException($"--index must lie in [0, {data.Count - 1}] for {data.Count} images; got {index}.");
    int[] turned = Enumerable.Range(0, data.Count).Where(i => clean[i] == truth[i] && attacked[i] != truth[i]).ToArray();
    string Name(long label) => data.ClassNames[(int)label];
    Console.WriteLine($"the attack turns {turned.Length} of {data.Count} images: {string.Join(", ", turned)}");

    // ## 3. Step 1 of the method: fit an untrained generator to the adversarial image and keep M snapshots. Early
    //       snapshots hold the image's coarse structure; the adversarial noise is fitted last. Trace k of image i gets seed
    //       S + 1000·k + i, as when the purifier (or QuickStart's pipeline) purifies the whole set; the tables show the first. Without --index, the turned images
    //       are traced one by one until one trace crosses a decision boundary.
    Notebook.Heading("3. Run the DIP trace of an adversarial image");
    var settings = PaperSettings.WithIterations(iterations, batchSize: 1);
    Console.WriteLine(PaperSettings.Describe(settings));
    (int Index, ExplainedTrace Trace)? chosen = null;
    foreach (int i in index is { } k ? [k] : turned.Length > 0 ? turned : [0])
    {
        Console.WriteLine($"image {i}: true {Name(truth[i])}, clean image labelled {Name(clean[i])}, adversarial image labelled {Name(attacked[i])}");
        using var candidate = adversarial[i];
        var explained = ExplainedTrace.Run(victim, settings, candidate, i, new ConsoleTraceProgress());
        chosen ??= (i, explained);
        if (explained.Diagnostics.Crossings.Length > 0)
        {
            chosen = (i, explained);
            break;
        }
        Console.WriteLine($"image {i}: no crossing");
    }
    var (pick, trace) = chosen!.Value;
    var d = trace.Diagnostics;
    Console.WriteLine($"explaining image {pick}");

    // ## 4. Step 2: the decision space. Every snapshot gets the victim's label y_i and its SSIM q_i to the input.
    Notebook.Heading("4. The victim's label along the trace");
    var runs = LabelRuns(d.TraceLabels);
    Notebook.PrintTable(["snapshots", "iterations", "label", "SSIM"], runs.Select(r =>
    {
        string Span(string first, string last) => r.First == r.Last ? first : $"{first}-{last}";
        return (IReadOnlyList<string>)[Span($"{r.First}", $"{r.Last}"), Span($"{trace.Iterations[r.First]}", $"{trace.Iterations[r.Last]}"),
            Name(d.TraceLabels[r.First]), Span($"{d.TraceSsim[r.First]:0.000}", $"{d.TraceSsim[r.Last]:0.000}")];
    }));
    Console.WriteLine($"the snapshots agree with the plotted confidences' arg-max: {d.TraceLabels.SequenceEqual(trace.Confidences.Labels())}");

    // ## 5. Step 3: a label change between snapshots i and i + 1 counts as a crossing when i ≥ w (past the warm-up)
    //       and q_i ≥ τ (the snapshot already looks like the input). The last N crossings are used.
    Notebook.Heading("5. Crossings");
    Console.WriteLine($"warm-up w = {settings.WarmUp} snapshots (iteration {trace.Iterations[settings.WarmUp]}), tau = {settings.SsimThreshold}, N = {settings.Pairs}");
    var changes = Enumerable.Range(0, d.TraceLabels.Length - 1).Where(i => d.TraceLabels[i] != d.TraceLabels[i + 1]).ToArray();
    Notebook.PrintTable(["i", "iteration", "label change", "SSIM q_i", "crossing"], changes.Select(i => (IReadOnlyList<string>)
        [i.ToString(), trace.Iterations[i].ToString(), $"{Name(d.TraceLabels[i])} -> {Name(d.TraceLabels[i + 1])}", $"{d.TraceSsim[i]:0.000}",
         d.UsedPairs.Contains(i) ? "yes, used" : d.Crossings.Contains(i) ? "yes, not among the last N" : i < settings.WarmUp ? "no (warm-up)" : d.TraceSsim[i] < settings.SsimThreshold ? "no (SSIM < tau)" : "no"]));
    Console.WriteLine($"{Notebook.Count(changes.Length, "label change")}, {Notebook.Count(d.Crossings.Length, "crossing")}, {Notebook.Count(d.UsedPairs.Length, "pair")} used");

    // ## 6. Steps 4–6: each used pair is searched for the point x_b = (1 − λ)·x_i + λ·x_{i+1} where the label
    //       changes (λ*), pushed away from the input and averaged. Without a crossing, the last N snapshots are averaged.
    //       The default selection, the vote (docs/method.md#selection-modes), replaces them: a trace that marks its input
    //       as adversarial gives the snapshot that best shows the class its later snapshots vote for.
    Notebook.Heading("6. Reconstruction");
    if (d.VotedClass is { } voted)
        Console.WriteLine($"marked as adversarial by all {d.Traces} traces (gate support {d.GateSupport:0.00} on the first); the snapshots " +
            $"of every trace from w on vote for {Name(voted)}, best shown by trace {d.OutputTrace}: output snapshot {d.VotedSnapshot}");
    else if (d.PassedThrough)
        Console.WriteLine($"not marked ({d.MarkingTraces} of {d.Traces} traces mark it; gate support {d.GateSupport:0.00} on the first): " +
            $"passed through as the last snapshot of trace {d.OutputTrace}");
    else if (d.FallbackUsed)
        Console.WriteLine($"no crossing: fallback to the last {d.OnBoundaryCount} snapshots, eta = 0");
    else
        foreach (var (pair, lambda) in d.UsedPairs.Zip(d.Lambdas))
            Console.WriteLine($"pair {pair}-{pair + 1}: lambda* = {lambda:0.##}");
    if (d.VotedClass is null && !d.PassedThrough)
        Console.WriteLine($"{Notebook.Count(d.OnBoundaryCount, "on-boundary image")} averaged");
    Console.WriteLine($"final label {Name(d.FinalLabel)} (true {Name(truth[pick])}, adversarial {Name(attacked[pick])})");

    // ## 7. The paper's Fig. 10: the confidences of the true and the adversarial class, the SSIM, the crossings.
    Notebook.Heading("7. Plot");
    string path = Path.Combine(output, "trace.png");
    trace.SavePlot(path, truth[pick], attacked[pick], data.ClassNames);
    Console.WriteLine(path);
}

// The runs of equal consecutive labels: (first, last) snapshot index of each.
static List<(int First, int Last)> LabelRuns(long[] labels)
{
    var runs = new List<(int First, int Last)>();
    for (int start = 0, i = 1; i <= labels.Length; i++)
        if (i == labels.Length || labels[i] != labels[start])
        {
            runs.Add((start, i - 1));
            start = i;
        }
    return runs;
}
