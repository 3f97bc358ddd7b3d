using DipDefense.Attacks;
using DipDefense.Victims;

namespace DipDefense.Tests.Attacks;

[Collection(AttacksCollection.Name)]
public class WhiteBoxAttackTests(TinyModelFixture f)
{
    private const double Eps = 8.0 / 255;

    public static TheoryData<string> LinfAttacks => new() { "FGSM", "PGD", "BIM", "MI-FGSM" };

    private Attack CreateLinf(string name, nn.Module<Tensor, Tensor> model) => name switch
    {
        "FGSM" => new Fgsm(model, Eps),
        "PGD" => new Pgd(model, Eps, 2.0 / 255, 10, randomStart: true, seed: 3),
        "BIM" => new Bim(model, Eps, 2.0 / 255, 10),
        "MI-FGSM" => new MiFgsm(model, Eps, 2.0 / 255, 10, decay: 1.0),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Fixture_TinyModelIsAccurate()
    {
        Assert.True(f.CleanAccuracy >= 0.95, $"clean accuracy {f.CleanAccuracy}");
    }

    [Theory]
    [MemberData(nameof(LinfAttacks))]
    public void LinfAttack_StaysInEpsBallAndUnitRange_AndDropsAccuracy(string name)
    {
        using var before = f.TestImages.clone();
        var attack = CreateLinf(name, f.Model);
        using var adv = attack.Run(f.TestImages, f.TestLabels);

        Assert.Equal(f.TestImages.shape, adv.shape);
        Assert.Equal(ScalarType.Float32, adv.dtype);
        Assert.True(Tensors.Same(before, f.TestImages), "the input must not be modified");
        using var linf = (adv - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= Eps + 1e-6, $"{name}: L∞ {linf.item<float>()} > eps");
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1, $"{name}: out of [0, 1]");

        double advAccuracy = f.Accuracy(adv);
        Assert.True(advAccuracy <= f.CleanAccuracy - 0.5, $"{name}: accuracy {f.CleanAccuracy} → {advAccuracy}");
        var report = AttackReport.Compute(f.Model, f.TestImages, adv, f.TestLabels);
        Assert.Equal(advAccuracy, report.AdversarialAccuracy, 6);
        Assert.True(report.MaxLinf <= Eps + 1e-6);
    }

    [Fact]
    public void Pgd_SmallerEps_IsWeaker_AndStepsFollowEps()
    {
        using var weak = new Pgd(f.Model, eps: 2.0 / 255, alpha: 0.5 / 255).Run(f.TestImages, f.TestLabels);
        using var strong = new Pgd(f.Model).Run(f.TestImages, f.TestLabels);
        Assert.True(f.Accuracy(weak) > f.Accuracy(strong) + 0.5, $"eps 2/255: {f.Accuracy(weak)}, eps 8/255: {f.Accuracy(strong)}");
        using var linf = (weak - f.TestImages).abs().max();
        Assert.True(linf.item<float>() <= 2.0 / 255 + 1e-6);
    }

    [Fact]
    public void Pgd_SameSeed_GivesIdenticalOutput_IndependentOfGlobalRng()
    {
        var pgd = new Pgd(f.Model, seed: 42);
        using var first = pgd.Run(f.TestImages, f.TestLabels);
        using (var _ = rand(100)) { } // advance the global RNG
        using var second = new Pgd(f.Model, seed: 42).Run(f.TestImages, f.TestLabels);
        using var again = pgd.Run(f.TestImages, f.TestLabels);
        using var otherSeed = new Pgd(f.Model, seed: 43).Run(f.TestImages, f.TestLabels);

        Assert.True(Tensors.Same(first, second));
        Assert.True(Tensors.Same(first, again));
        Assert.False(Tensors.Same(first, otherSeed));
    }

    [Fact]
    public void Bim_ZeroSteps_UsesThePapersRule()
    {
        Assert.Equal(10, new Bim(f.Model, eps: 8.0 / 255, steps: 0).Steps); // min(8 + 4, 1.25 · 8)
        Assert.Equal(5, new Bim(f.Model, eps: 4.0 / 255, steps: 0).Steps);  // min(4 + 4, 1.25 · 4)
        Assert.Equal(7, new Bim(f.Model, steps: 7).Steps);
    }

    [Fact]
    public void CarliniWagner_FindsMisclassifiedImagesWithSmallL2()
    {
        using var adv = new CarliniWagnerL2(f.Model).Run(f.TestImages, f.TestLabels);
        var report = AttackReport.Compute(f.Model, f.TestImages, adv, f.TestLabels);

        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
        Assert.True(report.SuccessRate >= 0.9, report.ToString());
        Assert.True(report.MeanL2 < 1.0, report.ToString()); // an L∞ 8/255 perturbation of these images has L2 ≈ 0.87
        AssertFailuresAreUnchanged(adv);
    }

    [Fact]
    public void CarliniWagner_WithKappa_KeepsOnlyImagesMisclassifiedByAtLeastKappa()
    {
        const double kappa = 3;
        using var plain = new CarliniWagnerL2(f.Model, c: 10, steps: 100).Run(f.TestImages, f.TestLabels);
        using var confident = new CarliniWagnerL2(f.Model, c: 10, kappa: kappa, steps: 100).Run(f.TestImages, f.TestLabels);

        static double[] Margins(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var logits = model.forward(images);
            var real = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
            var other = logits.masked_fill(nn.functional.one_hot(labels, logits.shape[1]).to_type(ScalarType.Bool), float.NegativeInfinity).amax([1]);
            return other.sub(real).to(ScalarType.Float64).data<double>().ToArray();
        }
        double[] plainMargins = Margins(f.Model, plain, f.TestLabels), confidentMargins = Margins(f.Model, confident, f.TestLabels);
        using var difference = confident.sub(f.TestImages).abs().flatten(1).amax([1]);
        bool[] changed = [.. difference.data<float>().ToArray().Select(d => d > 0)];
        Assert.True(changed.Count(c => c) >= changed.Length / 2, $"{changed.Count(c => c)} of {changed.Length} attacked");
        for (int i = 0; i < changed.Length; i++)
            if (changed[i])
                Assert.True(confidentMargins[i] >= kappa - 1e-4, $"image {i}: margin {confidentMargins[i]} < κ {kappa}");
        // Without κ the kept images sit just across the boundary.
        Assert.True(plainMargins.Where(m => m > 0).Average() < kappa, string.Join(", ", plainMargins));
    }

    [Fact]
    public void Ddn_FindsMisclassifiedImagesWithSmallL2()
    {
        using var adv = new Ddn(f.Model).Run(f.TestImages, f.TestLabels);
        var report = AttackReport.Compute(f.Model, f.TestImages, adv, f.TestLabels);

        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
        Assert.True(report.SuccessRate >= 0.95, report.ToString());
        Assert.True(report.MeanL2 < 0.8, report.ToString());
        AssertFailuresAreUnchanged(adv);
    }

    [Fact]
    public void Attacks_LeaveParametersWithoutGradients_AndRestoreTrainingFlags()
    {
        var probe = new TrainingProbe(f.Model); // not disposed: it would dispose the fixture's model
        probe.train();
        var requiresGrad = f.Model.parameters().Select(p => p.requires_grad).ToArray();
        try
        {
            Attack[] attacks = [new Fgsm(probe), new Pgd(probe, steps: 2), new Bim(probe, steps: 2), new MiFgsm(probe, steps: 2),
                new CarliniWagnerL2(probe, steps: 2), new Ddn(probe, steps: 2)];
            foreach (var attack in attacks)
            {
                probe.SawTraining = false;
                probe.Calls = 0;
                using var adv = attack.Run(f.TestImages, f.TestLabels);
                Assert.True(probe.Calls > 0, attack.Name);
                Assert.False(probe.SawTraining, $"{attack.Name} ran the model in training mode");
                Assert.True(probe.training, $"{attack.Name} did not restore the training flag");
                Assert.All(f.Model.parameters(), p => Assert.True(p.grad is null || !p.grad.IsInvalid && p.grad.abs().sum().item<float>() == 0,
                    $"{attack.Name} left a gradient on a parameter"));
                Assert.Equal(requiresGrad, f.Model.parameters().Select(p => p.requires_grad).ToArray());
            }
        }
        finally
        {
            f.Model.eval();
        }
    }

    [Fact]
    public void Run_LeavesOnlyTheResultInTheCallersDisposeScope()
    {
        var classifier = new ModuleClassifier(f.Model, TinyModelFixture.Classes);
        Attack[] attacks = [new Fgsm(f.Model), new Pgd(f.Model, steps: 3), new Bim(f.Model, steps: 3), new MiFgsm(f.Model, steps: 3),
            new CarliniWagnerL2(f.Model, steps: 3), new Ddn(f.Model, steps: 3), new Pgd(new Bpda(new NoisyPurifier(), f.Model, 2), steps: 2),
            new HopSkipJump(classifier, maxQueries: 150), new HopSkipJump(classifier, PerturbationNorm.Linf, maxQueries: 150)];
        using var images = f.TestImages.narrow(0, 0, 8);
        using var labels = f.TestLabels.narrow(0, 0, 8);
        foreach (var attack in attacks)
        {
            using var scope = NewDisposeScope();
            var adv = attack.Run(images, labels);
            Assert.Equal(1, scope.DisposablesCount);
            Assert.True(scope.Contains(adv), attack.Name);
        }
    }

    [Fact]
    public void Run_HandlesEmptyBatch_AndReturnsAFreshTensor()
    {
        using var empty = zeros(0, 3, 16, 16);
        using var noLabels = zeros(0, ScalarType.Int64);
        using var adv = new Pgd(f.Model).Run(empty, noLabels);
        Assert.Equal(new long[] { 0, 3, 16, 16 }, adv.shape);

        using var zeroEps = new Fgsm(f.Model, eps: 0).Run(f.TestImages, f.TestLabels);
        Assert.True(Tensors.Same(zeroEps, f.TestImages));
        Assert.False(ReferenceEquals(zeroEps, f.TestImages));
    }

    private void AssertFailuresAreUnchanged(Tensor adv)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var failed = f.Model.call(adv).argmax(1).eq(f.TestLabels);
        var changed = (adv - f.TestImages).abs().flatten(1).amax(new long[] { 1 }).gt(0);
        Assert.False(failed.logical_and(changed).any().item<bool>(), "an unsuccessful image must come back unchanged");
    }

    /// <summary>Wraps a model and records whether it is called in training mode.</summary>
    private sealed class TrainingProbe : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public TrainingProbe(nn.Module<Tensor, Tensor> inner) : base("probe")
        {
            this.inner = inner;
            RegisterComponents();
        }

        public bool SawTraining { get; set; }

        public int Calls { get; set; }

        public override Tensor forward(Tensor input)
        {
            Calls++;
            SawTraining |= training || inner.training;
            return inner.call(input);
        }
    }
}
