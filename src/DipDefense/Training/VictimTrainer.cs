using System.Diagnostics;
using DipDefense.Data;
using DipDefense.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Training;

/// <summary>
/// Trains a <see cref="SmallCnn"/> image classifier, the kind of small victim the project ships: Adam on the
/// cross-entropy loss over mini-batches reshuffled every epoch, with the validation accuracy after each epoch.
/// </summary>
/// <remarks>
/// Every random choice comes from one CPU generator seeded with <see cref="VictimTrainingOptions.Seed"/>: first the
/// initial weights, then one permutation of the training images per epoch. The same seed, data and device give
/// the same model (on the CPU with the same thread count; some GPU kernels are not deterministic).
/// </remarks>
public sealed class VictimTrainer
{
    /// <summary>Creates a trainer with the given options (null: the defaults).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public VictimTrainer(VictimTrainingOptions? options = null)
    {
        options ??= new VictimTrainingOptions();
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public VictimTrainingOptions Options { get; }

    /// <summary>Trains a new network on <paramref name="train"/>.</summary>
    /// <param name="train">Training images <c>[N, C, H, W]</c> in [0, 1] with labels; K = its number of class names.</param>
    /// <param name="validation">Images of the same C, H, W measured after every epoch; optional.</param>
    /// <param name="device">Where the network trains (the data is copied there once); null means the CPU.</param>
    /// <param name="progress">Told after every Adam step (synchronously, from this thread); optional.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The trained network and its record; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The training set is empty or its images are too small, or the validation set does not fit it.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public TrainedClassifier Train(ImageDataset train, ImageDataset? validation = null, Device? device = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Validate(train, validation);
        device ??= CPU;

        using var generator = new Generator(unchecked((ulong)Options.Seed), CPU);
        var net = SmallCnn.Create(train.Channels, train.Height, train.Width, train.ClassNames.Count, Options.Network, generator);
        var classifier = new TrainedClassifier(net, train.Channels, train.Height, train.Width, train.ClassNames, device);
        try
        {
            net.to(device);
            // One libtorch thread: with more, libtorch 2.10's CPU convolution input gradient of a batch is corrupted on
            // the project's machines (docs/platform.md).
            using (DipDefense.Dip.LibTorchThreads.OneOnThisThread(device))
                Fit(classifier, train, validation, generator, progress, cancellationToken);
            return classifier;
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    void Fit(TrainedClassifier classifier, ImageDataset train, ImageDataset? validation, Generator generator,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var net = classifier.Model;
        var device = classifier.Device;
        int count = train.Count, batchSize = Options.BatchSize, epochs = Options.Epochs;
        int batches = (count + batchSize - 1) / batchSize;
        using var optimizer = optim.Adam(net.parameters(), lr: Options.LearningRate);
        using var dataScope = NewDisposeScope(); // holds the device copies of the training set
        var images = train.Images.to(device);
        var labels = train.Labels.to(device);

        var summaries = new List<EpochSummary>();
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            using var epochScope = NewDisposeScope();
            net.train();
            var order = randperm(count, generator: generator).to(device);
            double lossSum = 0;
            for (int batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int start = batch * batchSize, size = Math.Min(batchSize, count - start);
                var indices = order.narrow(0, start, size);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(net.call(images.index_select(0, indices)), labels.index_select(0, indices));
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * size;
                if (batch < batches - 1)
                    progress?.Report(new TrainingProgress(epoch, epochs, batch + 1, batches, lossSum / (start + size), null, clock.Elapsed));
            }

            double? accuracy = validation is null
                ? null
                : ClassifierEvaluation.Evaluate(classifier, validation, Options.EvaluationBatchSize, cancellationToken: cancellationToken).Accuracy;
            summaries.Add(new EpochSummary(epoch, lossSum / count, accuracy, clock.Elapsed));
            progress?.Report(new TrainingProgress(epoch, epochs, batches, batches, lossSum / count, accuracy, clock.Elapsed));
        }
        net.eval();
        classifier.Epochs = summaries;
        classifier.Elapsed = clock.Elapsed;
        classifier.ResetQueryCount();
    }

    static void Validate(ImageDataset train, ImageDataset? validation)
    {
        if (train.Count == 0)
            throw new ArgumentException("train must hold at least one image.", nameof(train));
        if (train.Height < SmallCnn.MinSide || train.Width < SmallCnn.MinSide)
            throw new ArgumentException(
                $"train images must be at least {SmallCnn.MinSide}×{SmallCnn.MinSide} pixels; got {train.Height}×{train.Width}.", nameof(train));
        if (validation is null)
            return;
        if (validation.Count == 0)
            throw new ArgumentException("validation must hold at least one image when given.", nameof(validation));
        if (validation.Channels != train.Channels || validation.Height != train.Height || validation.Width != train.Width)
            throw new ArgumentException(
                $"validation images are {validation.Channels}×{validation.Height}×{validation.Width} (C×H×W) but the training images are {train.Channels}×{train.Height}×{train.Width}.",
                nameof(validation));
        if (validation.ClassNames.Count > train.ClassNames.Count)
            throw new ArgumentException(
                $"validation names {validation.ClassNames.Count} classes but the training set only {train.ClassNames.Count}.", nameof(validation));
    }
}
