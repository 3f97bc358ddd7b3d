using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// Summary of an attack on a batch: accuracies, success rate and perturbation norms.
/// </summary>
/// <param name="Count">Number of images N.</param>
/// <param name="CleanCorrect">Images classified correctly before the attack.</param>
/// <param name="AdversarialCorrect">Images classified correctly after the attack.</param>
/// <param name="Successes">Originally correct images that became misclassified.</param>
/// <param name="CleanAccuracy">CleanCorrect / N (0 when N = 0).</param>
/// <param name="AdversarialAccuracy">AdversarialCorrect / N (0 when N = 0).</param>
/// <param name="SuccessRate">Successes / CleanCorrect: the share of originally correct images that the attack
/// made misclassified (0 when no image was originally correct).</param>
/// <param name="MeanLinf">Mean over all N images of the per-image ‖x_adv − x‖∞.</param>
/// <param name="MaxLinf">Maximum over all N images of the per-image ‖x_adv − x‖∞.</param>
/// <param name="MeanL2">Mean over all N images of the per-image ‖x_adv − x‖₂ (over C·H·W values).</param>
/// <param name="MaxL2">Maximum over all N images of the per-image ‖x_adv − x‖₂.</param>
public sealed record AttackReport(
    int Count,
    int CleanCorrect,
    int AdversarialCorrect,
    int Successes,
    double CleanAccuracy,
    double AdversarialAccuracy,
    double SuccessRate,
    double MeanLinf,
    double MaxLinf,
    double MeanL2,
    double MaxL2)
{
    /// <summary>Computes the report from predictions already made.</summary>
    /// <param name="images">Clean images float32 [N, C, H, W].</param>
    /// <param name="adversarial">Adversarial images, same shape.</param>
    /// <param name="labels">True classes int64 [N].</param>
    /// <param name="cleanPredictions">Predicted classes of the clean images, int64 [N].</param>
    /// <param name="adversarialPredictions">Predicted classes of the adversarial images, int64 [N].</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">A shape or dtype does not match; the message names the parameter.</exception>
    public static AttackReport Compute(Tensor images, Tensor adversarial, Tensor labels, Tensor cleanPredictions, Tensor adversarialPredictions)
    {
        CheckPair(images, adversarial);
        long n = images.shape[0];
        AttackGuard.Labels(labels, n, null, nameof(labels));
        AttackGuard.Labels(cleanPredictions, n, null, nameof(cleanPredictions));
        AttackGuard.Labels(adversarialPredictions, n, null, nameof(adversarialPredictions));
        if (n == 0)
            return new AttackReport(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        using var scope = NewDisposeScope();
        var device = images.device;
        var y = labels.to(device);
        var cleanOk = cleanPredictions.to(device).eq(y);
        var advOk = adversarialPredictions.to(device).eq(y);
        int cleanCorrect = (int)cleanOk.sum().item<long>();
        int advCorrect = (int)advOk.sum().item<long>();
        int successes = (int)cleanOk.logical_and(advOk.logical_not()).sum().item<long>();

        var delta = (adversarial.to(device).to_type(ScalarType.Float64) - images.to_type(ScalarType.Float64)).flatten(1);
        var linf = delta.abs().amax(new long[] { 1 });
        var l2 = delta.square().sum(1).sqrt();
        return new AttackReport(
            (int)n, cleanCorrect, advCorrect, successes,
            cleanCorrect / (double)n, advCorrect / (double)n,
            cleanCorrect == 0 ? 0 : successes / (double)cleanCorrect,
            linf.mean().item<double>(), linf.max().item<double>(),
            l2.mean().item<double>(), l2.max().item<double>());
    }

    /// <summary>Computes the report with a differentiable victim's argmax predictions (eval mode, no gradients;
    /// every module's training flag is restored).</summary>
    /// <param name="model">Victim: images [N, C, H, W] in [0, 1] → logits [N, K].</param>
    /// <param name="images">Clean images float32 [N, C, H, W].</param>
    /// <param name="adversarial">Adversarial images, same shape.</param>
    /// <param name="labels">True classes int64 [N].</param>
    /// <returns>The report.</returns>
    public static AttackReport Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor adversarial, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckPair(images, adversarial);
        using var scope = NewDisposeScope();
        var modules = new List<nn.Module> { model };
        modules.AddRange(model.modules());
        var flags = modules.Select(m => m.training).ToArray();
        model.eval();
        try
        {
            var device = model.parameters().FirstOrDefault()?.device ?? images.device;
            Tensor Predict(Tensor x)
            {
                using (no_grad())
                    return model.call(x.to(device)).argmax(1).to(images.device);
            }
            return Compute(images, adversarial, labels, Predict(images), Predict(adversarial));
        }
        finally
        {
            for (int i = 0; i < modules.Count; i++)
                if (modules[i].training != flags[i])
                    modules[i].train(flags[i]);
        }
    }

    /// <summary>Computes the report with a label-query classifier (2N queries).</summary>
    /// <param name="classifier">Victim.</param>
    /// <param name="images">Clean images float32 [N, C, H, W].</param>
    /// <param name="adversarial">Adversarial images, same shape.</param>
    /// <param name="labels">True classes int64 [N].</param>
    /// <returns>The report.</returns>
    public static AttackReport Compute(IClassifier classifier, Tensor images, Tensor adversarial, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        CheckPair(images, adversarial);
        using var scope = NewDisposeScope();
        return Compute(images, adversarial, labels, classifier.Predict(images), classifier.Predict(adversarial));
    }

    /// <summary>
    /// Accuracy within an L2 radius: the share of images that the victim still classifies correctly after the
    /// attack, or whose adversarial lies farther than <paramref name="radius"/> from the clean image (the attack
    /// found nothing within the radius). Minimum-norm attacks (C&amp;W, DDN, HopSkipJump) always return some
    /// adversarial, so their plain adversarial accuracy is near 0 whatever their budget; this figure shows
    /// what a larger budget buys (N queries).
    /// </summary>
    /// <param name="classifier">Victim.</param>
    /// <param name="images">Clean images float32 [N, C, H, W].</param>
    /// <param name="adversarial">Adversarial images, same shape.</param>
    /// <param name="labels">True classes int64 [N].</param>
    /// <param name="radius">The L2 radius (over C·H·W values); ≥ 0.</param>
    /// <returns>The accuracy in [0, 1]; 0 for an empty set.</returns>
    public static double AccuracyWithinL2(IClassifier classifier, Tensor images, Tensor adversarial, Tensor labels, double radius)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        CheckPair(images, adversarial);
        if (!(radius >= 0))
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"{nameof(radius)} must be ≥ 0.");
        long n = images.shape[0];
        AttackGuard.Labels(labels, n, null, nameof(labels));
        if (n == 0)
            return 0;
        using var scope = NewDisposeScope();
        var correct = classifier.Predict(adversarial).to(images.device).eq(labels.to(images.device));
        var l2 = (adversarial.to(images.device).to_type(ScalarType.Float64) - images.to_type(ScalarType.Float64)).flatten(1).square().sum(1).sqrt();
        return correct.logical_or(l2.gt(radius)).to_type(ScalarType.Float64).mean().item<double>();
    }

    private static void CheckPair(Tensor images, Tensor adversarial)
    {
        AttackGuard.Images(images, nameof(images));
        AttackGuard.Images(adversarial, nameof(adversarial));
        if (!images.shape.SequenceEqual(adversarial.shape))
            throw new ArgumentException(
                $"adversarial must have the shape of images [{string.Join(", ", images.shape)}]; got [{string.Join(", ", adversarial.shape)}].",
                nameof(adversarial));
    }
}
