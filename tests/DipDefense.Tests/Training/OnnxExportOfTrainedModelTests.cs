using DipDefense.Evaluation;
using DipDefense.Tests.Infrastructure;
using DipDefense.Training;
using DipDefense.Victims;

namespace DipDefense.Tests.Training;

public sealed class OnnxExportOfTrainedModelTests
{
    [Fact]
    public void ExportedModelGivesTheTorchSharpLogitsAndAccuracyInOnnxRuntime()
    {
        using var train = LearnableImages.Create(60);
        using var test = LearnableImages.Create(45, seed: 9);
        using var trained = new VictimTrainer(new VictimTrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.01 }).Train(train);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "victim.onnx");
        trained.ExportOnnx(path);

        using var onnx = new OnnxClassifier(path);
        onnx.EnsureCompatible(1, 8, 8);
        Assert.Equal(3, onnx.NumClasses);
        using var expected = trained.Logits(test.Images);
        using var actual = onnx.Logits(test.Images);
        double diff = (actual - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-5, $"ONNX Runtime logits differ from TorchSharp by {diff}");

        var torchReport = ClassifierEvaluation.Evaluate(trained, test);
        var onnxReport = ClassifierEvaluation.Evaluate(onnx, test);
        Assert.Equal(torchReport.Correct, onnxReport.Correct);
        Assert.True(onnxReport.Accuracy > 0.5, $"accuracy {onnxReport.Accuracy}: the model did not learn, so the comparison proves little");
    }
}
