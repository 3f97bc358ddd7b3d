namespace DipDefense.Visualization;

/// <summary>One defense's accuracy along an attack's strength (its budget ε, its iterations or its queries).</summary>
/// <param name="Name">The legend's label (the defense).</param>
/// <param name="Strength">The attack strengths, increasing.</param>
/// <param name="Accuracy">The accuracy at each strength, in [0, 1].</param>
public sealed record AccuracyCurve(string Name, IReadOnlyList<double> Strength, IReadOnlyList<double> Accuracy);
