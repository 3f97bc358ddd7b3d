using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Attacks;

/// <summary>
/// HopSkipJump, the decision-based attack of Chen, Jordan and Wainwright, "HopSkipJumpAttack: A Query-Efficient
/// Decision-Based Attack" (IEEE S&amp;P 2020, https://arxiv.org/abs/1904.02144), untargeted, with a hard query budget.
/// </summary>
/// <remarks>
/// <para>Distance measure: L2 or L∞ (<see cref="Norm"/>). Uses only <see cref="IClassifier.Predict"/> (labels); an
/// image counts as adversarial when the predicted label differs from the true label.</para>
/// <para>
/// Per image: one query for the clean prediction (an image that is already misclassified is returned as is);
/// initialisation with uniform random noise images (at most <see cref="InitSize"/> tries) until one is
/// misclassified, then a binary search on the line between the image and the noise (threshold 0.001); then a
/// binary search to the boundary (L2: on that line, threshold θ; L∞: on the L∞ radius, threshold min(θ·dist, θ))
/// and <see cref="MaxIter"/> iterations of: gradient-direction estimate at the boundary point from
/// <c>min(InitEval·√t, MaxEval)</c> random probes of radius δ_t (δ₁ = 0.1, then √d·θ·dist for L2 and d·θ·dist for
/// L∞; Gaussian probes for L2, uniform for L∞, the baseline-corrected estimator of the authors' code); update
/// direction ĝ/‖ĝ‖ (L2) or sign(ĝ) (L∞); geometric step-size search starting at dist/√t and halving until
/// the new point is adversarial; binary search back to the boundary. θ = gamma / d^{3/2} for L2 and gamma / d² for
/// L∞, with d = C·H·W, as in the authors' code (ART uses 0.01/√d).
/// </para>
/// <para>
/// Query budget: every image sent to the classifier counts, and no image ever costs more than
/// <see cref="MaxQueries"/> queries; each phase stops when the budget is spent, keeping the current (always
/// verified adversarial) point. The result is the adversarial point with the smallest distance in
/// <see cref="Norm"/> found, or the original image when none was found within the budget.
/// <see cref="LastQueryCounts"/> gives the queries each image of the last <see cref="Attack.Run"/> used.
/// </para>
/// <para>Randomness: image i uses a CPU <c>torch.Generator</c> seeded with <c>Seed + i</c>, so the same seed gives the
/// same result, independent of the global RNG state.</para>
/// <para>Arguments (defaults of ART <c>HopSkipJump</c> / the authors' code): norm = L2, max_iter = 50,
/// max_eval = 10000, init_eval = 100, init_size = 100, gamma = 1.0, geometric step-size search; plus
/// maxQueries = 1000 per image and seed = 0.</para>
/// <para>Shape: images float32 [N, C, H, W] in [0, 1]; labels int64 [N] in [0, K); output [N, C, H, W] in [0, 1].</para>
/// </remarks>
public sealed class HopSkipJump : Attack
{
    private long[] lastQueryCounts = Array.Empty<long>();

    /// <summary>Creates a HopSkipJump attack.</summary>
    /// <param name="classifier">The victim; only its <see cref="IClassifier.Predict"/> is used.</param>
    /// <param name="norm">Perturbation norm (default <see cref="PerturbationNorm.L2"/>).</param>
    /// <param name="maxQueries">Query budget per image, the clean prediction included (default 1000); ≥ 1.</param>
    /// <param name="maxIter">Maximum number of iterations (default 50); ≥ 0.</param>
    /// <param name="maxEval">Maximum probes per gradient estimate (default 10000); ≥ 1.</param>
    /// <param name="initEval">Probes of the first gradient estimate (default 100); in [1, maxEval].</param>
    /// <param name="initSize">Maximum random tries for the initial adversarial (default 100); ≥ 1.</param>
    /// <param name="gamma">Binary-search threshold factor γ (default 1.0); finite, &gt; 0.</param>
    /// <param name="seed">Seed of all random draws (default 0).</param>
    /// <exception cref="ArgumentNullException"><paramref name="classifier"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public HopSkipJump(IClassifier classifier, PerturbationNorm norm = PerturbationNorm.L2, int maxQueries = 1000,
        int maxIter = 50, int maxEval = 10000, int initEval = 100, int initSize = 100, double gamma = 1.0, long seed = 0)
        : base("HopSkipJump")
    {
        Classifier = AttackGuard.NotNull(classifier, nameof(classifier));
        if (!Enum.IsDefined(norm))
            throw new ArgumentOutOfRangeException(nameof(norm), norm, $"{nameof(norm)} must be L2 or Linf.");
        Norm = norm;
        MaxQueries = AttackGuard.AtLeast(maxQueries, 1, nameof(maxQueries));
        MaxIter = AttackGuard.AtLeast(maxIter, 0, nameof(maxIter));
        MaxEval = AttackGuard.AtLeast(maxEval, 1, nameof(maxEval));
        InitEval = AttackGuard.AtLeast(initEval, 1, nameof(initEval));
        if (initEval > maxEval)
            throw new ArgumentOutOfRangeException(nameof(initEval), initEval, $"{nameof(initEval)} must be ≤ maxEval ({maxEval}).");
        InitSize = AttackGuard.AtLeast(initSize, 1, nameof(initSize));
        Gamma = AttackGuard.Positive(gamma, nameof(gamma));
        Seed = seed;
    }

    /// <summary>The victim.</summary>
    public IClassifier Classifier { get; }

    /// <summary>Perturbation norm.</summary>
    public PerturbationNorm Norm { get; }

    /// <summary>Query budget per image (the clean prediction included).</summary>
    public int MaxQueries { get; }

    /// <summary>Maximum number of iterations.</summary>
    public int MaxIter { get; }

    /// <summary>Maximum probes per gradient estimate.</summary>
    public int MaxEval { get; }

    /// <summary>Probes of the first gradient estimate.</summary>
    public int InitEval { get; }

    /// <summary>Maximum random tries for the initial adversarial.</summary>
    public int InitSize { get; }

    /// <summary>Binary-search threshold factor γ.</summary>
    public double Gamma { get; }

    /// <summary>Seed of all random draws.</summary>
    public long Seed { get; }

    /// <summary>Queries used by each image of the last <see cref="Attack.Run"/> (each ≤ <see cref="MaxQueries"/>).</summary>
    public IReadOnlyList<long> LastQueryCounts => lastQueryCounts;

    /// <inheritdoc/>
    protected override int? NumClasses => Classifier.NumClasses;

    /// <inheritdoc/>
    protected override Tensor Perform(Tensor images, Tensor labels)
    {
        int n = (int)images.shape[0];
        var used = new long[n];
        lastQueryCounts = used;

        var clean = Classifier.Predict(images).to(labels.device);
        for (int i = 0; i < n; i++)
            used[i] = 1;
        var alreadyWrong = clean.ne(labels).cpu().data<bool>().ToArray();

        var results = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            var original = images.narrow(0, i, 1);
            Tensor result;
            if (alreadyWrong[i] || used[i] >= MaxQueries)
            {
                result = original.clone();
            }
            else
            {
                using var generator = CreateGenerator(unchecked(Seed + i));
                var image = new ImageState(this, original, labels.narrow(0, i, 1), generator, used[i]);
                result = image.Attack();
                used[i] = image.Used;
            }
            results[i] = result.MoveToOuterDisposeScope();
        }
        var output = cat(results, 0);
        foreach (var r in results)
            r.Dispose();
        return output;
    }

    /// <summary>The attack on one image, with its query counter.</summary>
    private sealed class ImageState
    {
        private readonly HopSkipJump attack;
        private readonly Tensor original, label;
        private readonly Generator generator;
        private readonly long[] shape;
        private readonly double d, theta;

        public ImageState(HopSkipJump attack, Tensor original, Tensor label, Generator generator, long used)
        {
            this.attack = attack;
            this.original = original;
            this.label = label;
            this.generator = generator;
            Used = used;
            shape = original.shape;
            d = original.numel();
            theta = attack.Norm == PerturbationNorm.L2 ? attack.Gamma / (Math.Sqrt(d) * d) : attack.Gamma / (d * d);
        }

        public long Used { get; private set; }

        private long Left => attack.MaxQueries - Used;

        public Tensor Attack()
        {
            var noise = RandomAdversarial();
            if (noise is null)
                return original.clone();
            var current = BlendSearch(noise);
            current = BoundarySearch(current);
            double dist = Distance(current);
            var best = current;
            double bestDist = dist;

            for (int t = 1; t <= attack.MaxIter && Left > 0; t++)
            {
                using var scope = NewDisposeScope();
                double delta = t == 1 ? 0.1 : (attack.Norm == PerturbationNorm.L2 ? Math.Sqrt(d) * theta * dist : d * theta * dist);
                int probes = (int)Math.Min(Math.Min(attack.InitEval * Math.Sqrt(t), attack.MaxEval), Left);
                var gradient = EstimateGradient(current, probes, delta);
                var update = attack.Norm == PerturbationNorm.L2 ? gradient : gradient.sign();

                Tensor? stepped = null;
                double epsilon = dist / Math.Sqrt(t);
                while (Left > 0)
                {
                    using var trial = NewDisposeScope();
                    var candidate = (current + epsilon * update).clamp(0.0, 1.0);
                    if (IsAdversarial(candidate))
                    {
                        stepped = candidate.MoveToOuterDisposeScope();
                        break;
                    }
                    epsilon /= 2;
                }
                if (stepped is null)
                    break;

                var searched = BoundarySearch(stepped);
                if (!ReferenceEquals(searched, stepped))
                    searched.MoveToOuterDisposeScope(); // stepped already lives in the image's scope
                current = searched;
                dist = Distance(current);
                if (dist < bestDist)
                {
                    best = current;
                    bestDist = dist;
                }
            }
            return best;
        }

        /// <summary>Uniform noise images until one is misclassified (at most InitSize tries).</summary>
        private Tensor? RandomAdversarial()
        {
            for (int t = 0; t < attack.InitSize && Left > 0; t++)
            {
                using var scope = NewDisposeScope();
                var noise = rand(shape, ScalarType.Float32, CPU, generator: generator).to(original.device);
                if (IsAdversarial(noise))
                    return noise.MoveToOuterDisposeScope();
            }
            return null;
        }

        /// <summary>Binary search on the segment original → noise (threshold 0.001), as in the authors' initialisation.</summary>
        private Tensor BlendSearch(Tensor noise)
        {
            double high = Bisect(mid => Blend(noise, mid), 1, 0.001);
            return high == 1 ? noise : Blend(noise, high);
        }

        private Tensor Blend(Tensor target, double alpha) => original * (1 - alpha) + target * alpha;

        /// <summary>Binary search from an adversarial point towards the original, in the attack's norm.</summary>
        private Tensor BoundarySearch(Tensor adversarial)
        {
            double high, threshold;
            if (attack.Norm == PerturbationNorm.L2)
            {
                high = 1;
                threshold = theta;
            }
            else
            {
                high = Distance(adversarial);
                threshold = Math.Min(high * theta, theta);
            }
            double start = high;
            high = Bisect(mid => Project(adversarial, mid), high, threshold);
            return high == start ? adversarial : Project(adversarial, high);
        }

        /// <summary>
        /// Bisects [0, high] for the smallest t at which <paramref name="point"/>(t) is still adversarial, to within
        /// <paramref name="threshold"/> or until the query budget runs out; returns the adversarial end.
        /// </summary>
        private double Bisect(Func<double, Tensor> point, double high, double threshold)
        {
            double low = 0;
            while (high - low > threshold && Left > 0)
            {
                using var scope = NewDisposeScope();
                double mid = (high + low) / 2;
                if (IsAdversarial(point(mid)))
                    high = mid;
                else
                    low = mid;
            }
            return high;
        }

        private Tensor Project(Tensor adversarial, double alpha)
            => attack.Norm == PerturbationNorm.L2
                ? Blend(adversarial, alpha)
                : adversarial.clamp(original - alpha, original + alpha);

        /// <summary>Baseline-corrected Monte-Carlo estimate of the boundary normal at <paramref name="point"/>.</summary>
        private Tensor EstimateGradient(Tensor point, int probes, double delta)
        {
            using var scope = NewDisposeScope();
            var probeShape = new long[] { probes }.Concat(shape.Skip(1)).ToArray();
            var directions = attack.Norm == PerturbationNorm.L2
                ? randn(probeShape, ScalarType.Float32, CPU, generator: generator)
                : rand(probeShape, ScalarType.Float32, CPU, generator: generator) * 2 - 1;
            directions = directions.to(point.device);
            directions = directions / PerImage(directions.square().flatten(1).sum(1).sqrt().clamp_min(1e-12));
            var probed = (point + delta * directions).clamp(0.0, 1.0);
            directions = (probed - point) / delta;

            var signs = Decisions(probed).to_type(ScalarType.Float32) * 2 - 1;
            double mean = signs.mean().item<float>();
            Tensor gradient;
            if (mean == 1.0)
                gradient = directions.mean(new long[] { 0 }, keepdim: true);
            else if (mean == -1.0)
                gradient = -directions.mean(new long[] { 0 }, keepdim: true);
            else
                gradient = (PerImage(signs - mean) * directions).mean(new long[] { 0 }, keepdim: true);
            var norm = gradient.square().sum().sqrt().clamp_min(1e-12);
            return (gradient / norm).MoveToOuterDisposeScope();
        }

        private static Tensor PerImage(Tensor values) => values.view(-1, 1, 1, 1);

        private double Distance(Tensor point)
        {
            using var scope = NewDisposeScope();
            var diff = point - original;
            return attack.Norm == PerturbationNorm.L2
                ? diff.square().sum().sqrt().item<float>()
                : diff.abs().max().item<float>();
        }

        private bool IsAdversarial(Tensor image)
        {
            using var scope = NewDisposeScope();
            return Decisions(image).item<bool>();
        }

        /// <summary>Queries the classifier (one query per image) and says which images are misclassified.</summary>
        private Tensor Decisions(Tensor batch)
        {
            long count = batch.shape[0];
            if (count > Left)
                throw new InvalidOperationException("HopSkipJump would exceed its query budget."); // guarded by callers
            Used += count;
            var predictions = attack.Classifier.Predict(batch.clamp(0.0, 1.0));
            return predictions.to(label.device).ne(label);
        }
    }
}
