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
/// <para>
/// The parameters are views of one flat buffer and their gradients views of another (autograd accumulates into a
/// gradient that exists in place), so that zeroing the gradients and a step are a handful of libtorch calls on the
/// whole network instead of a handful per parameter: a DIP generator has about 70 parameter tensors, and on 32×32
/// images the per-call cost of those ~600 small calls was a large share of an iteration (docs/performance.md). The
/// update is element-wise, so each element gets the arithmetic it got parameter by parameter.
/// </para>
/// <para>
/// The parameters belong to B independent networks, each parameter's rows network-major (<see cref="DipGenerator"/>).
/// Every network counts its own steps for the bias corrections, because networks join a running fit
/// (<see cref="Add"/>) when the trace refills its batch. While all counts are equal a step uses the corrections as
/// scalars; otherwise as per-element tensors that hold, for each element, its network's corrections rounded to float
/// as libtorch rounds a scalar, and the update is the same product, quotient and sum as <c>addcdiv_</c>'s, so a
/// network's bytes do not depend on when it joined (tested against traces run alone).
/// </para>
/// </summary>
internal sealed class DipAdam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly Parameter[] parameters;
    private long[][] shapes = [];
    private Tensor values = null!, gradients = null!, firstMoments, secondMoments;
    private readonly Scalar beta1 = Beta1.ToScalar(), oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar beta2 = Beta2.ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar epsilon = 1e-8.ToScalar(), one = 1.0.ToScalar();
    private readonly double learningRate;
    private List<int> steps;
    private Tensor? networkOfElement;

    /// <summary>Takes <paramref name="parameters"/> (all of one dtype and device) of <paramref name="networks"/> networks and makes them views of one flat buffer.</summary>
    public DipAdam(IEnumerable<Parameter> parameters, double learningRate, int networks = 1)
    {
        this.parameters = [.. parameters];
        this.learningRate = learningRate;
        steps = [.. new int[networks]];
        using (no_grad())
        {
            Flatten();
            firstMoments = zeros_like(values).DetachFromDisposeScope();
            secondMoments = zeros_like(values).DetachFromDisposeScope();
        }
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        using var noGrad = no_grad();
        gradients.zero_();
    }

    /// <summary>The networks B whose parameters this optimiser steps.</summary>
    public int Networks => steps.Count;

    /// <summary>
    /// Keeps the optimiser state of the rows <paramref name="rows"/> of each parameter (the indices
    /// <see cref="DipGenerator.Keep"/> returns, in parameter order) after the generator dropped the other rows, and
    /// makes the parameters views of a new flat buffer.
    /// </summary>
    /// <param name="rows">Per parameter, the rows kept.</param>
    /// <param name="networks">The networks kept (ascending), whose step counts go on; null: the networks stay as they are.</param>
    public void Keep(IReadOnlyList<Tensor> rows, IReadOnlyList<int>? networks = null)
    {
        Relayout((moments, i) => moments.index_select(0, rows[i]));
        if (networks is not null)
            steps = [.. networks.Select(b => steps[b])];
    }

    /// <summary>
    /// Takes on <paramref name="networks"/> new networks whose rows the generator appended to every parameter
    /// (<see cref="DipGenerator.Add"/>): their moments start at zero and their step counts at 0.
    /// </summary>
    public void Add(int networks)
    {
        int before = Networks;
        Relayout((moments, _) => cat([moments, zeros([moments.shape[0] / before * networks, .. moments.shape.Skip(1)], moments.dtype, moments.device)], 0));
        steps.AddRange(new int[networks]);
    }

    /// <summary>One Adam step on every parameter, from the gradients accumulated since <see cref="ZeroGrad"/>.</summary>
    public void Step()
    {
        for (int b = 0; b < steps.Count; b++)
            steps[b]++;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        firstMoments.mul_(beta1).add_(gradients, oneMinusBeta1);
        secondMoments.mul_(beta2).addcmul_(gradients, gradients, oneMinusBeta2);
        if (steps.All(s => s == steps[0]))
        {
            double correction1 = 1 - Math.Pow(Beta1, steps[0]), correction2 = 1 - Math.Pow(Beta2, steps[0]);
            using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
            using var negativeStepSize = (-learningRate / correction1).ToScalar();
            var denominator = secondMoments.sqrt().div_(rootCorrection2).add_(epsilon, one);
            values.addcdiv_(firstMoments, denominator, negativeStepSize);
        }
        else
        {
            // addcdiv_ computes self + (value · t1) / t2 in float with value rounded to float: the same three operations.
            var roots = PerElement(steps.Select(s => (float)Math.Sqrt(1 - Math.Pow(Beta2, s))));
            var negativeStepSizes = PerElement(steps.Select(s => (float)(-learningRate / (1 - Math.Pow(Beta1, s)))));
            var denominator = secondMoments.sqrt().div_(roots).add_(epsilon, one);
            values.add_(firstMoments.mul(negativeStepSizes).div_(denominator));
        }
    }

    /// <summary>A flat tensor holding, for each element of the flat buffer, its network's value of <paramref name="perNetwork"/>.</summary>
    private Tensor PerElement(IEnumerable<float> perNetwork)
    {
        var table = tensor(perNetwork.ToArray(), device: values.device);
        networkOfElement ??= NetworkOfElement().DetachFromDisposeScope();
        return table.index_select(0, networkOfElement);
    }

    /// <summary>The network of every element of the flat buffer (each parameter's rows are network-major).</summary>
    private Tensor NetworkOfElement()
    {
        using var scope = NewDisposeScope();
        int networks = Networks;
        var perNetwork = arange(networks, ScalarType.Int64, values.device);
        return cat([.. shapes.Select(shape =>
            perNetwork.repeat_interleave(shape.Aggregate(1L, (a, b) => a * b) / networks))]).MoveToOuterDisposeScope();
    }

    /// <summary>Replaces each parameter's moments by <paramref name="select"/> of them, after the parameters changed their rows.</summary>
    private void Relayout(Func<Tensor, int, Tensor> select)
    {
        using var noGrad = no_grad();
        firstMoments = Select(firstMoments);
        secondMoments = Select(secondMoments);
        Flatten();

        Tensor Select(Tensor moments)
        {
            Tensor kept;
            using (var scope = NewDisposeScope())
                kept = cat([.. Views(moments).Select((m, i) => select(m, i).reshape(-1))]).MoveToOuterDisposeScope();
            moments.Dispose();
            return kept.DetachFromDisposeScope();
        }
    }

    /// <summary>Copies the parameters into a new flat buffer and makes each a view of it, its gradient a view of a zeroed one.</summary>
    private void Flatten()
    {
        shapes = [.. parameters.Select(p => p.shape)];
        var first = parameters[0];
        var newValues = empty(parameters.Sum(p => p.numel()), first.dtype, first.device).DetachFromDisposeScope();
        var newGradients = zeros_like(newValues).DetachFromDisposeScope();
        using (var scope = NewDisposeScope())
        {
            var valueViews = Views(newValues);
            var gradientViews = Views(newGradients);
            for (int i = 0; i < parameters.Length; i++)
            {
                valueViews[i].copy_(parameters[i]);
                parameters[i].set_(valueViews[i]);
                parameters[i].grad = gradientViews[i];
            }
        }
        values?.Dispose();
        gradients?.Dispose();
        networkOfElement?.Dispose();
        networkOfElement = null;
        (values, gradients) = (newValues, newGradients);
    }

    /// <summary>Each parameter's slice of the flat <paramref name="flat"/>, in its shape.</summary>
    private Tensor[] Views(Tensor flat)
    {
        var views = new Tensor[shapes.Length];
        long offset = 0;
        for (int i = 0; i < shapes.Length; i++)
        {
            long count = shapes[i].Aggregate(1L, (a, b) => a * b);
            views[i] = flat.narrow(0, offset, count).view(shapes[i]);
            offset += count;
        }
        return views;
    }

    public void Dispose()
    {
        foreach (var t in new[] { values, gradients, firstMoments, secondMoments, networkOfElement })
            t?.Dispose();
        foreach (var s in new[] { beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, one })
            s.Dispose();
    }
}
