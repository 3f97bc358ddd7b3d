using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// Adam (Kingma and Ba 2015) for the DIP fit, with PyTorch's update in the same order of operations: β = (0.9, 0.999),
/// ε = 1e-8, no weight decay, no AMSGrad. Every constant is a <see cref="Scalar"/> held by the optimiser and every
/// per-step one is held until its last use, so no native call can read a scalar that the finalizer thread has freed
/// (TorchSharp's own Adam makes temporary scalars, which the DIP workers of <see cref="DipTraceRunner"/> can see freed
/// under them when another thread triggers a garbage collection).
/// </summary>
internal sealed class DipAdam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly Parameter[] parameters;
    private Tensor[] firstMoments;
    private Tensor[] secondMoments;
    private readonly Scalar beta1 = Beta1.ToScalar(), oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar beta2 = Beta2.ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar epsilon = 1e-8.ToScalar(), one = 1.0.ToScalar();
    private readonly double learningRate;
    private int steps;

    public DipAdam(IEnumerable<Parameter> parameters, double learningRate)
    {
        this.parameters = [.. parameters];
        this.learningRate = learningRate;
        using (no_grad())
        {
            firstMoments = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
            secondMoments = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        }
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in parameters)
            p.grad?.zero_();
    }

    /// <summary>Keeps, for each parameter i, the moment rows <paramref name="rows"/>[i] (what <see cref="DipGenerator.Keep"/> kept of it).</summary>
    public void Keep(IReadOnlyList<Tensor> rows)
    {
        using var noGrad = no_grad();
        firstMoments = [.. firstMoments.Select((m, i) => Select(m, rows[i]))];
        secondMoments = [.. secondMoments.Select((m, i) => Select(m, rows[i]))];

        static Tensor Select(Tensor moment, Tensor index)
        {
            var kept = moment.index_select(0, index).DetachFromDisposeScope();
            moment.Dispose();
            return kept;
        }
    }

    /// <summary>One Adam step on the current gradients (parameters without a gradient are left alone).</summary>
    public void Step()
    {
        steps++;
        double correction1 = 1 - Math.Pow(Beta1, steps), correction2 = 1 - Math.Pow(Beta2, steps);
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var negativeStepSize = (-learningRate / correction1).ToScalar();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null)
                continue;
            firstMoments[i].mul_(beta1).add_(grad, oneMinusBeta1);
            secondMoments[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            var denominator = secondMoments[i].sqrt().div_(rootCorrection2).add_(epsilon, one);
            parameters[i].addcdiv_(firstMoments[i], denominator, negativeStepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in firstMoments.Concat(secondMoments))
            t.Dispose();
        foreach (var s in new[] { beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, one })
            s.Dispose();
    }
}
