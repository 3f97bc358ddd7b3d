namespace DipDefense.Attacks;

/// <summary>The norm in which an attack measures (and minimises or bounds) the perturbation.</summary>
public enum PerturbationNorm
{
    /// <summary>Euclidean norm ‖δ‖₂ over all C·H·W values of an image.</summary>
    L2,

    /// <summary>Maximum norm ‖δ‖∞ = max |δᵢ| over all C·H·W values of an image.</summary>
    Linf,
}
