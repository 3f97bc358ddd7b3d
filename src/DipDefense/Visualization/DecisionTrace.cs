namespace DipDefense.Visualization;

/// <summary>
/// The series of a decision-trace plot (the paper's Fig. 10) for one image: along the DIP trace, the victim's
/// confidence of the true class and of the adversarial class, the cross-boundary indices and optionally the SSIM
/// of every snapshot to the input.
/// </summary>
public sealed record DecisionTrace
{
    /// <summary>The x of every snapshot: its DIP iteration (<c>DipTraceResult.SnapshotIterations</c>), ascending. M values.</summary>
    public required IReadOnlyList<int> Iterations { get; init; }

    /// <summary>The victim's softmax confidence of the true class at every snapshot, M values in [0, 1].</summary>
    public required IReadOnlyList<double> TrueConfidence { get; init; }

    /// <summary>The victim's softmax confidence of the adversarial class at every snapshot, M values in [0, 1].</summary>
    public required IReadOnlyList<double> AdversarialConfidence { get; init; }

    /// <summary>
    /// Cross-boundary indices i (the label changes between snapshots i and i + 1, as in
    /// <c>PurificationDiagnostics.Crossings</c>), each in [0, M − 2]. Default none.
    /// </summary>
    public IReadOnlyList<int> Crossings { get; init; } = [];

    /// <summary>SSIM of every snapshot to the input (<c>PurificationDiagnostics.TraceSsim</c>), M values; null (the default) for none.</summary>
    public IReadOnlyList<double>? Ssim { get; init; }

    /// <summary>The legend name of the true class. Default "true class".</summary>
    public string TrueClassName { get; init; } = "true class";

    /// <summary>The legend name of the adversarial class. Default "adversarial class".</summary>
    public string AdversarialClassName { get; init; } = "adversarial class";

    /// <summary>
    /// The trace of <paramref name="confidences"/> for the classes <paramref name="trueLabel"/> and
    /// <paramref name="adversarialLabel"/>, named from <paramref name="classNames"/> when given. Add
    /// <see cref="Crossings"/> and <see cref="Ssim"/> with a <c>with</c> expression.
    /// </summary>
    /// <param name="confidences">The snapshots' confidences (<see cref="SnapshotConfidences.Compute"/>).</param>
    /// <param name="iterations">The DIP iteration of every snapshot, M values.</param>
    /// <param name="trueLabel">The image's true class.</param>
    /// <param name="adversarialLabel">The class the adversarial image is classified as.</param>
    /// <param name="classNames">Class names in label order; null names the classes "class k".</param>
    /// <exception cref="ArgumentException">The iterations do not match the snapshots, or a label is out of range.</exception>
    public static DecisionTrace From(SnapshotConfidences confidences, IReadOnlyList<int> iterations, long trueLabel, long adversarialLabel,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(confidences);
        ArgumentNullException.ThrowIfNull(iterations);
        if (iterations.Count != confidences.Snapshots)
            throw new ArgumentException($"iterations has {iterations.Count} values for {confidences.Snapshots} snapshots.", nameof(iterations));
        string Name(long label) => classNames is not null && label >= 0 && label < classNames.Count ? classNames[(int)label] : $"class {label}";
        return new DecisionTrace
        {
            Iterations = iterations.ToArray(),
            TrueConfidence = confidences.Of(trueLabel),
            AdversarialConfidence = confidences.Of(adversarialLabel),
            TrueClassName = $"{Name(trueLabel)} (true)",
            AdversarialClassName = $"{Name(adversarialLabel)} (adversarial)",
        };
    }

    /// <summary>Checks that the series are non-empty, of equal length M, finite, and that the iterations ascend and the crossings lie in [0, M − 2].</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">A series is invalid; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "trace";
        void Fail(string message) => throw new ArgumentException($"Invalid DecisionTrace: {message}", paramName);

        if (Iterations is null || TrueConfidence is null || AdversarialConfidence is null || Crossings is null)
            Fail("Iterations, TrueConfidence, AdversarialConfidence and Crossings must not be null.");
        int m = Iterations!.Count;
        if (m == 0) Fail("Iterations must hold at least one snapshot.");
        void CheckLength(string name, int count)
        {
            if (count != m) Fail($"{name} has {count} values but Iterations has {m}; every series needs one value per snapshot.");
        }
        CheckLength(nameof(TrueConfidence), TrueConfidence!.Count);
        CheckLength(nameof(AdversarialConfidence), AdversarialConfidence!.Count);
        if (Ssim is not null) CheckLength(nameof(Ssim), Ssim.Count);
        for (int i = 1; i < m; i++)
            if (Iterations[i] <= Iterations[i - 1])
                Fail($"Iterations must ascend; Iterations[{i}] = {Iterations[i]} follows {Iterations[i - 1]}.");
        foreach (var (name, series) in new[] { (nameof(TrueConfidence), TrueConfidence), (nameof(AdversarialConfidence), AdversarialConfidence), (nameof(Ssim), Ssim ?? []) })
            for (int i = 0; i < series.Count; i++)
                if (!double.IsFinite(series[i]))
                    Fail($"{name}[{i}] is {series[i]}; every value must be finite.");
        foreach (int crossing in Crossings!)
            if (crossing < 0 || crossing > m - 2)
                Fail($"Crossings holds {crossing}; a cross-boundary index i pairs snapshots i and i + 1, so it must lie in [0, {m - 2}].");
    }
}
