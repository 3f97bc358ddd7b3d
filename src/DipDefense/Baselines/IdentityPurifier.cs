using DipDefense.Defense;
using static TorchSharp.torch;

namespace DipDefense.Baselines;

/// <summary>
/// No defense: the "purified" images are a copy of the input. It puts the undefended reference row of every
/// table through the same <see cref="IPurifier"/> code path as the defenses.
/// </summary>
/// <remarks>Deterministic; its BPDA substitute is the identity, so <c>Bpda</c> around it is exactly the plain model.</remarks>
public sealed class IdentityPurifier : ImageTransformPurifier
{
    /// <summary><c>identity</c>.</summary>
    public override string Name => "identity";

    /// <summary>A copy of <paramref name="images"/>, bit for bit.</summary>
    protected override Tensor Transform(Tensor images, CancellationToken cancellationToken) => images.clone();
}
