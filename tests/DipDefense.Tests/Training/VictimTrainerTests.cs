using DipDefense.Data;
using DipDefense.Tests.Attacks;
using DipDefense.Training;
using DipDefense.Victims;

namespace DipDefense.Tests.Training;

public sealed class VictimTrainerTests
{
    static readonly VictimTrainingOptions Quick = new() { Epochs = 4, BatchSize = 16, LearningRate = 0.01, Seed = 3 };

    [Fact]
    public void TrainingReducesTheLossAndLearnsTheSyntheticSet()
    {
        using var train = LearnableImages.Create(96, seed: 1);
        using var validation = LearnableImages.Create(30, seed: 2);
        using var trained = new VictimTrainer(Quick).Train(train, validation);

        Assert.Equal(4, trained.Epochs.Count);
        double first = trained.Epochs[0].MeanLoss, last = trained.Epochs[^1].MeanLoss;
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
        Assert.True(trained.Epochs[^1].ValidationAccuracy >= 0.9, $"validation accuracy {trained.Epochs[^1].ValidationAccuracy}");
        Assert.Equal(3, trained.NumClasses);
        Assert.Equal(0, trained.QueryCount); // validation queries are not left on the count
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelAndAnotherSeedAnotherOne()
    {
        using var train = LearnableImages.Create(48);
        using var a = new VictimTrainer(Quick with { Epochs = 2 }).Train(train);
        using var b = new VictimTrainer(Quick with { Epochs = 2 }).Train(train);
        using var c = new VictimTrainer(Quick with { Epochs = 2, Seed = 4 }).Train(train);

        Assert.Equal(a.Epochs.Select(e => e.MeanLoss), b.Epochs.Select(e => e.MeanLoss));
        var pa = a.Model.parameters().ToArray();
        var pb = b.Model.parameters().ToArray();
        var pc = c.Model.parameters().ToArray();
        Assert.Equal(pa.Length, pb.Length);
        for (int i = 0; i < pa.Length; i++)
            Assert.True(Tensors.Same(pa[i], pb[i]), $"parameter {i} differs between two runs with the same seed");
        Assert.Contains(Enumerable.Range(0, pa.Length), i => !Tensors.Same(pa[i], pc[i]));
        // The training set is still usable: the trainer only read it.
        Assert.Equal(48, train.Images.shape[0]);
    }

    [Fact]
    public void ProgressIsReportedAfterEveryStepWithValidationAtTheEndOfEachEpoch()
    {
        using var train = LearnableImages.Create(40);
        using var validation = LearnableImages.Create(9, seed: 5);
        var reports = new List<TrainingProgress>();
        using var trained = new VictimTrainer(Quick with { Epochs = 2 }).Train(train, validation, progress: new Recorder(reports));

        int batches = 3; // 40 images in batches of 16
        Assert.Equal(2 * batches, reports.Count);
        Assert.Equal(Enumerable.Range(0, 2 * batches).Select(i => (i / batches + 1, i % batches + 1)), reports.Select(r => (r.Epoch, r.Batch)));
        Assert.All(reports, r => Assert.Equal(batches, r.Batches));
        Assert.All(reports.Where(r => r.Batch < batches), r => Assert.Null(r.ValidationAccuracy));
        Assert.Equal(trained.Epochs.Select(e => e.ValidationAccuracy), reports.Where(r => r.Batch == batches).Select(r => r.ValidationAccuracy));
        Assert.All(reports.Where(r => r.Batch == batches), r => Assert.NotNull(r.ValidationAccuracy));
    }

    [Fact]
    public void LogitsKeepTheImagesDeviceAndRejectOtherShapes()
    {
        using var train = LearnableImages.Create(16);
        using var trained = new VictimTrainer(Quick with { Epochs = 1 }).Train(train);
        using var logits = trained.Logits(train.Images);
        Assert.Equal(new long[] { 16, 3 }, logits.shape);
        Assert.Equal(16, trained.QueryCount);
        Assert.False(logits.requires_grad);

        using var wrong = zeros(2, 3, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => trained.Logits(wrong));
        Assert.Contains("[N, 1, 8, 8]", e.Message);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        Assert.Contains("Epochs", Assert.Throws<ArgumentException>(() => new VictimTrainer(new VictimTrainingOptions { Epochs = 0 })).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentException>(() => new VictimTrainer(new VictimTrainingOptions { LearningRate = double.NaN })).Message);
        Assert.Contains("Conv2Channels", Assert.Throws<ArgumentException>(() =>
            new VictimTrainer(new VictimTrainingOptions { Network = new SmallCnnConfig { Conv2Channels = 0 } })).Message);

        var trainer = new VictimTrainer(Quick);
        using var tiny = new ImageDataset(zeros(4, 1, 3, 3), zeros(4, ScalarType.Int64), ["a", "b"]);
        Assert.Contains("at least 4×4", Assert.Throws<ArgumentException>(() => trainer.Train(tiny)).Message);
        using var empty = new ImageDataset(zeros(0, 1, 8, 8), zeros(0, ScalarType.Int64), ["a", "b"]);
        Assert.Contains("at least one image", Assert.Throws<ArgumentException>(() => trainer.Train(empty)).Message);

        using var train = LearnableImages.Create(12);
        using var rgb = new ImageDataset(zeros(2, 3, 8, 8), zeros(2, ScalarType.Int64), ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => trainer.Train(train, rgb));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("3×8×8", e.Message);
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    sealed class Recorder(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
