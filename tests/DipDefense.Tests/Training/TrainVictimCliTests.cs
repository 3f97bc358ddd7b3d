using System.Text.Json;
using DipDefense.Data;
using DipDefense.Evaluation;
using DipDefense.Tests.Cli;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Training;

public sealed class TrainVictimCliTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    (string Train, string Test) WriteIdxSets()
    {
        string train = Path.Combine(_dir.Path, "train-images-idx3-ubyte.gz");
        string test = Path.Combine(_dir.Path, "t10k-images-idx3-ubyte.gz");
        using (var data = LearnableImages.Create(72, seed: 1)) IdxFormat.Write(data, train);
        using (var data = LearnableImages.Create(30, seed: 2)) IdxFormat.Write(data, test);
        return (train, test);
    }

    [Fact]
    public void TrainVictimTrainsExportsAndMeasuresTheOnnxModel()
    {
        var (train, test) = WriteIdxSets();
        string model = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir.Path, "out")).FullName, "victim.onnx");

        var r = CliRunner.Run("train-victim", "--data", train, "--test", test, "--validation", "0.25", "--epochs", "3",
            "--batch", "16", "--lr", "0.01", "--seed", "2", "--out", model, "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("epoch 3/3", r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.Equal(54, root.GetProperty("train_count").GetInt32());
        Assert.Equal(18, root.GetProperty("validation_count").GetInt32());
        Assert.Equal(30, root.GetProperty("test_count").GetInt32());
        Assert.Equal(3, root.GetProperty("epochs").GetArrayLength());
        // conv1 16·1·9+16, conv2 32·16·9+32, fc (32·2·2)·3+3 for 8×8 images and 3 classes
        Assert.Equal(160 + 4640 + 387, root.GetProperty("parameters").GetInt64());
        double onnxAccuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.Equal(root.GetProperty("test_accuracy_torchsharp").GetDouble(), onnxAccuracy);
        Assert.True(root.GetProperty("train_seconds").GetDouble() > 0);
        Assert.Equal(new FileInfo(model).Length, root.GetProperty("onnx_bytes").GetInt64());

        using var onnx = new OnnxClassifier(model);
        using var testSet = DatasetReader.Read(test);
        Assert.Equal(onnxAccuracy, ClassifierEvaluation.Evaluate(onnx, testSet).Accuracy);
        Assert.True(onnxAccuracy > 0.5, $"test accuracy {onnxAccuracy}");
    }

    [Fact]
    public void TrainVictimRejectsAValidationFractionOfOne()
    {
        var (train, _) = WriteIdxSets();
        var r = CliRunner.Run("train-victim", "--data", train, "--validation", "1", "--out", Path.Combine(_dir.Path, "m.onnx"));

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--validation must be a fraction in [0, 1)", r.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "m.onnx")));
    }
}
