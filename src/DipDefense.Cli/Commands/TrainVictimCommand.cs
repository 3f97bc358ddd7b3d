using System.CommandLine;
using DipDefense.Data;
using DipDefense.Evaluation;
using DipDefense.Training;
using DipDefense.Victims;
using Spectre.Console;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense train-victim</c>: trains a small CNN (<see cref="SmallCnn"/>), exports it to ONNX and measures the
/// exported model with ONNX Runtime on a test set.
/// </summary>
internal static class TrainVictimCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var device = new DeviceOption();
        var defaults = new VictimTrainingOptions();
        var test = new Option<string?>("--test") { Description = "Test set (any format --data takes), measured with the exported model in ONNX Runtime and with the TorchSharp network." };
        var validation = new Option<double>("--validation") { Description = "Fraction of the training images (the last ones) held out to measure after every epoch; 0 holds out none.", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training images.", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch") { Description = "Images per Adam step.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial weights and of the shuffling.", DefaultValueFactory = _ => defaults.Seed };
        var conv1 = new Option<int>("--conv1") { Description = "Channels of the first convolution.", DefaultValueFactory = _ => defaults.Network.Conv1Channels };
        var conv2 = new Option<int>("--conv2") { Description = "Channels of the second convolution.", DefaultValueFactory = _ => defaults.Network.Conv2Channels };
        var output = new Option<string>("--out") { Description = "Where to write the ONNX model (input [N,C,H,W] in [0,1], output logits [N,K]).", Required = true };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("train-victim", "Train a small CNN victim (conv-ReLU-pool ×2, linear) with Adam, export it to ONNX and measure it.");
        data.AddTo(command);
        foreach (var option in new Option[] { test, validation, epochs, batch, learningRate, seed, conv1, conv2, output, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            string outPath = OutputPath.File(result.GetValue(output)!, output.Name);
            var options = new VictimTrainingOptions
            {
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batch),
                LearningRate = result.GetValue(learningRate),
                Seed = result.GetValue(seed),
                Network = new SmallCnnConfig { Conv1Channels = result.GetValue(conv1), Conv2Channels = result.GetValue(conv2) },
            };
            options.Validate();
            double holdOut = result.GetValue(validation);
            CheckOption(holdOut is >= 0 and < 1, $"--validation must be a fraction in [0, 1); got {holdOut}.");
            var target = device.Resolve(result);

            using var selected = data.Load(result);
            int validationCount = (int)(holdOut * selected.Count);
            CheckOption(selected.Count - validationCount > 0, $"--data selects {selected.Count} images; none is left for training after holding out {validationCount}.");
            using var trainSet = selected.Slice(0, selected.Count - validationCount);
            using var validationSet = validationCount > 0 ? selected.Slice(selected.Count - validationCount) : null;
            using var testSet = result.GetValue(test) is { } testPath ? DatasetReader.Read(testPath) : null;

            int batches = (trainSet.Count + options.BatchSize - 1) / options.BatchSize;
            using var trained = console.WithProgress("training", options.Epochs * batches, steps =>
                new VictimTrainer(options).Train(trainSet, validationSet, target, new EpochReporter(console.Progress, steps)));
            trained.ExportOnnx(outPath);

            ClassificationReport? onnxReport = null, torchReport = null;
            if (testSet is not null)
            {
                using var exported = new OnnxClassifier(outPath);
                exported.EnsureCompatible(testSet.Channels, testSet.Height, testSet.Width);
                onnxReport = ClassifierEvaluation.Evaluate(exported, testSet, options.EvaluationBatchSize);
                torchReport = ClassifierEvaluation.Evaluate(trained, testSet, options.EvaluationBatchSize);
            }

            long onnxBytes = new FileInfo(outPath).Length;
            Print(console.Report, trained, onnxReport, torchReport, outPath, onnxBytes);
            console.WriteJson(new
            {
                output = outPath,
                onnx_bytes = onnxBytes,
                parameters = trained.ParameterCount,
                train_count = trainSet.Count,
                validation_count = validationCount,
                test_count = testSet?.Count,
                test_accuracy = onnxReport is null ? null : Output.Number(onnxReport.Accuracy),
                test_accuracy_torchsharp = torchReport is null ? null : Output.Number(torchReport.Accuracy),
                validation_accuracy = trained.Epochs[^1].ValidationAccuracy,
                train_seconds = trained.Elapsed.TotalSeconds,
                epochs = trained.Epochs.Select(e => new { epoch = e.Epoch, loss = e.MeanLoss, validation_accuracy = e.ValidationAccuracy, seconds = e.Elapsed.TotalSeconds }),
                options = new
                {
                    epochs = options.Epochs,
                    batch = options.BatchSize,
                    lr = options.LearningRate,
                    seed = options.Seed,
                    conv1 = options.Network.Conv1Channels,
                    conv2 = options.Network.Conv2Channels,
                    device = target.ToString(),
                },
            });
            return 0;
        });
        return command;
    }

    static void CheckOption(bool valid, string message)
    {
        if (!valid)
            throw new ArgumentException(message);
    }

    /// <summary>Advances the progress bar after every step and prints one line on stderr after every epoch.</summary>
    sealed class EpochReporter(IAnsiConsole console, IProgress<int> steps) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            steps.Report((p.Epoch - 1) * p.Batches + p.Batch);
            if (p.Batch < p.Batches)
                return;
            string validation = p.ValidationAccuracy is { } a ? $", validation accuracy {a:0.0000}" : "";
            console.MarkupLine(Markup.Escape($"epoch {p.Epoch}/{p.Epochs}: loss {p.MeanLoss:0.0000}{validation}, {p.Elapsed.TotalSeconds:0.0} s"));
        }
    }

    static void Print(IAnsiConsole console, TrainedClassifier trained, ClassificationReport? onnx, ClassificationReport? torch, string path, long bytes)
    {
        var table = new Table().AddColumns("epoch", "loss", "validation acc", "seconds");
        foreach (var e in trained.Epochs)
            table.AddRow(e.Epoch.ToString(), $"{e.MeanLoss:0.0000}", e.ValidationAccuracy is { } a ? $"{a:0.0000}" : "-", $"{e.Elapsed.TotalSeconds:0.0}");
        console.Write(table);
        if (onnx is not null && torch is not null)
            console.MarkupLine($"test accuracy [bold]{onnx.Accuracy:0.0000}[/] (ONNX Runtime), {torch.Accuracy:0.0000} (TorchSharp) on {onnx.Count} images");
        console.MarkupLine(Markup.Escape($"{trained.ParameterCount} parameters, {path} ({bytes} bytes)"));
    }
}
