using DipDefense.Baselines;
using DipDefense.Victims;

namespace DipDefense.Defense;

/// <summary>
/// One of the library's defenses by name, with the settings of each (docs/defenses.md): the one place that turns a
/// name into an <see cref="IPurifier"/>, for the command line (<c>--defense</c>) and ML.NET (<c>DipPurifyOptions.Defense</c>).
/// </summary>
public sealed record DefenseChoice
{
    /// <summary>The decision-space DIP purifier (<see cref="DecisionSpacePurifier"/>), the library's defense.</summary>
    public const string DecisionDip = "decision-dip";

    /// <summary>DIPDefend (<see cref="DipDefendPurifier"/>).</summary>
    public const string DipDefend = "dipdefend";

    /// <summary>JPEG compression (<see cref="JpegCompression"/>).</summary>
    public const string Jpeg = "jpeg";

    /// <summary>Bit-depth reduction (<see cref="BitDepthReduction"/>).</summary>
    public const string BitDepth = "bit-depth";

    /// <summary>Median smoothing (<see cref="MedianSmoothing"/>).</summary>
    public const string Median = "median";

    /// <summary>No defense (<see cref="IdentityPurifier"/>): the reference row of every table.</summary>
    public const string None = "none";

    /// <summary>Every name, the library's defense first.</summary>
    public static IReadOnlyList<string> Names { get; } = [DecisionDip, DipDefend, Jpeg, BitDepth, Median, None];

    /// <summary>The defense: one of <see cref="Names"/>. Default <see cref="DecisionDip"/>.</summary>
    public string Name { get; init; } = DecisionDip;

    /// <summary>Settings of <see cref="DecisionDip"/>.</summary>
    public PurifierOptions DecisionDipOptions { get; init; } = new();

    /// <summary>Settings of <see cref="DipDefend"/>.</summary>
    public DipDefendOptions DipDefendOptions { get; init; } = new();

    /// <summary>Settings of <see cref="Jpeg"/>.</summary>
    public JpegCompressionOptions JpegOptions { get; init; } = new();

    /// <summary>Settings of <see cref="BitDepth"/>.</summary>
    public BitDepthReductionOptions BitDepthOptions { get; init; } = new();

    /// <summary>Settings of <see cref="Median"/>.</summary>
    public MedianSmoothingOptions MedianOptions { get; init; } = new();

    /// <summary>The DIP iterations one image costs (1 for a defense without a DIP fit), for progress.</summary>
    public int IterationsPerImage => Name switch
    {
        DecisionDip => DecisionDipOptions.Trace.Iterations,
        DipDefend => DipDefendOptions.Iterations,
        _ => 1,
    };

    /// <summary>Checks the name and the chosen defense's settings (the others are not used).</summary>
    /// <param name="paramName">The parameter reported in the exception; by default the property at fault
    /// (<see cref="Name"/>, or the chosen defense's settings such as <see cref="JpegOptions"/>).</param>
    /// <exception cref="ArgumentException">An unknown name, missing settings or an invalid setting; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        switch (Name)
        {
            case DecisionDip: Check(DecisionDipOptions, nameof(DecisionDipOptions), paramName, (o, p) => o.Validate(p)); break;
            case DipDefend: Check(DipDefendOptions, nameof(DipDefendOptions), paramName, (o, p) => o.Validate(p)); break;
            case Jpeg: Check(JpegOptions, nameof(JpegOptions), paramName, (o, p) => o.Validate(p)); break;
            case BitDepth: Check(BitDepthOptions, nameof(BitDepthOptions), paramName, (o, p) => o.Validate(p)); break;
            case Median: Check(MedianOptions, nameof(MedianOptions), paramName, (o, p) => o.Validate(p)); break;
            case None: break;
            default:
                throw new ArgumentException($"The defense must be one of {string.Join(", ", Names)}; got '{Name}'.", paramName ?? nameof(Name));
        }
    }

    // The chosen defense's settings, checked in the name of paramName or, by default, of their property.
    void Check<T>(T? settings, string property, string? paramName, Action<T, string> validate) where T : class
    {
        if (settings is null)
            throw new ArgumentException($"{property} must not be null: the defense is '{Name}'.", paramName ?? property);
        validate(settings, paramName ?? property);
    }

    /// <summary>The chosen defense, validated.</summary>
    /// <param name="victim">The protected classifier; only <see cref="DecisionDip"/> queries it.</param>
    /// <exception cref="ArgumentException">An unknown name or an invalid setting.</exception>
    public IPurifier Create(IClassifier victim)
    {
        ArgumentNullException.ThrowIfNull(victim);
        Validate();
        return Name switch
        {
            DecisionDip => new DecisionSpacePurifier(victim, DecisionDipOptions),
            DipDefend => new DipDefendPurifier(DipDefendOptions),
            Jpeg => new JpegCompression(JpegOptions),
            BitDepth => new BitDepthReduction(BitDepthOptions),
            Median => new MedianSmoothing(MedianOptions),
            _ => new IdentityPurifier(),
        };
    }
}
