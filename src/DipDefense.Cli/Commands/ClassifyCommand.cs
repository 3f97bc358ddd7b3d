using System.CommandLine;
using DipDefense.Evaluation;
using Spectre.Console;

namespace DipDefense.Cli.Commands;

/// <summary><c>dipdefense classify</c>: the victim's accuracy on a labelled image set.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var victim = new VictimOptions();
        var data = new DataOptions();
        var batch = new Option<int>("--batch") { Description = "Images per classifier call.", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };
        var command = new Command("classify", "Accuracy, per-class accuracy and throughput of an ONNX classifier on a labelled image set.");
        victim.AddTo(command);
        data.AddTo(command);
        command.Options.Add(batch);
        command.Options.Add(json);

        command.SetAction(result =>
        {
            var output = new Output(result.GetValue(json));
            int batchSize = result.GetValue(batch);
            if (batchSize < 1)
                throw new ArgumentException($"--batch must be at least 1; got {batchSize}.");
            using var images = data.Load(result);
            using var classifier = victim.Load(result, batchSize);
            classifier.EnsureCompatible(images.Channels, images.Height, images.Width);

            var report = output.WithProgress("classifying", images.Count,
                progress => ClassifierEvaluation.Evaluate(classifier, images, batchSize, progress));

            Print(output.Report, report);
            output.WriteJson(new
            {
                accuracy = Output.Number(report.Accuracy),
                count = report.Count,
                correct = report.Correct,
                images_per_second = Output.Number(report.ImagesPerSecond),
                seconds = report.Seconds,
                per_class = report.PerClass.Select(c => new { label = c.Label, name = c.Name, count = c.Count, accuracy = Output.Number(c.Accuracy) }),
            });
            return 0;
        });
        return command;
    }

    static void Print(IAnsiConsole console, ClassificationReport report)
    {
        var table = new Table().AddColumns("class", "images", "accuracy");
        foreach (var c in report.PerClass)
            table.AddRow(Markup.Escape(c.Name), c.Count.ToString(), c.Count == 0 ? "-" : c.Accuracy.ToString("0.000"));
        console.Write(table);
        console.MarkupLine($"accuracy [bold]{report.Accuracy:0.000}[/] on {report.Count} images, {report.ImagesPerSecond:0.0} images/s");
    }
}
