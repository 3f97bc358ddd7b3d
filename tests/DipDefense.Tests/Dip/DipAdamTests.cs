using DipDefense.Dip;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Tests.Dip;

/// <summary>
/// <see cref="DipAdam"/> keeps its parameters and gradients in flat buffers; its steps must be PyTorch's Adam applied
/// parameter by parameter, bit for bit, before and after <see cref="DipAdam.Keep"/> drops rows.
/// </summary>
public class DipAdamTests
{
    private const double LearningRate = 0.01;

    [Fact]
    public void ItsStepsArePyTorchsAdamParameterByParameterBitForBitAlsoAfterKeepingSomeRows()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        // Odd sizes, so that the flat buffer puts parameters at offsets that are not multiples of a vector width.
        long[][] shapes = [[4, 3, 3, 3], [4], [6, 1], [5, 2, 1, 1], [3]];
        var parameters = shapes.Select((long[] s) => new Parameter(rand(s, ScalarType.Float32, generator: generator))).ToArray();
        var weights = shapes.Select((long[] s) => rand(s, ScalarType.Float32, generator: generator).mul_(4)).ToArray();
        var reference = parameters.Select(p => p.detach().clone()).ToArray();
        var first = reference.Select(r => zeros_like(r)).ToArray();
        var second = reference.Select(r => zeros_like(r)).ToArray();
        int steps = 0;

        using var adam = new DipAdam(parameters, LearningRate);
        Assert.All(parameters, p => Assert.True(p.requires_grad && p.is_leaf));
        AssertSameBits(parameters, reference);   // flattening keeps the values

        void StepBoth()
        {
            adam.ZeroGrad();
            using (enable_grad())
                parameters.Zip(weights).Select(p => p.First.mul(p.Second).sin().sum()).Aggregate((a, b) => a.add(b)).backward();
            var gradients = parameters.Select(p => p.grad!.clone()).ToArray();
            adam.Step();

            // PyTorch's single-tensor Adam, one parameter at a time (the order of operations of the per-parameter DipAdam).
            steps++;
            double correction1 = 1 - Math.Pow(0.9, steps), correction2 = 1 - Math.Pow(0.999, steps);
            using var noGrad = no_grad();
            for (int i = 0; i < reference.Length; i++)
            {
                first[i].mul_(0.9).add_(gradients[i], 0.1);
                second[i].mul_(0.999).addcmul_(gradients[i], gradients[i], 1 - 0.999);
                var denominator = second[i].sqrt().div_(Math.Sqrt(correction2)).add_(1e-8, 1.0);
                reference[i].addcdiv_(first[i], denominator, -LearningRate / correction1);
            }
        }

        for (int s = 0; s < 3; s++)
            StepBoth();
        AssertSameBits(parameters, reference);

        // Drop rows as DipGenerator.Keep does (the parameter replaced by its kept rows, its gradient cleared).
        Tensor[] kept = [tensor(new long[] { 0, 2, 3 }), tensor(new long[] { 1, 3 }), tensor(new long[] { 0, 5 }), tensor(new long[] { 4 }), tensor(new long[] { 0, 1, 2 })];
        using (no_grad())
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].set_(parameters[i].index_select(0, kept[i]));
                parameters[i].grad = null;
                weights[i] = weights[i].index_select(0, kept[i]);
                reference[i] = reference[i].index_select(0, kept[i]);
                first[i] = first[i].index_select(0, kept[i]);
                second[i] = second[i].index_select(0, kept[i]);
            }
        adam.Keep(kept);
        for (int s = 0; s < 3; s++)
            StepBoth();
        AssertSameBits(parameters, reference);
        Assert.Equal([3L, 3, 3, 3], parameters[0].shape);
    }

    [Fact]
    public void ANetworkThatJoinsLaterTakesTheStepsItWouldTakeAloneBitForBit()
    {
        // Two networks with rows network-major (3 and 1 rows each in the two parameters); a third joins after two steps.
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        Tensor Rows(long rows) => rand([rows, 5], ScalarType.Float32, generator: generator);
        var initial = Enumerable.Range(0, 3).Select(_ => (Weight: Rows(3), Bias: Rows(1))).ToArray();
        var parameters = new[]
        {
            new Parameter(cat([initial[0].Weight, initial[1].Weight], 0)),
            new Parameter(cat([initial[0].Bias, initial[1].Bias], 0)),
        };
        using var adam = new DipAdam(parameters, LearningRate, networks: 2);

        // Each network alone: PyTorch's single-tensor Adam with its own step count.
        var alone = initial.Select(n => new[] { n.Weight.clone(), n.Bias.clone() }).ToArray();
        var first = alone.Select(a => a.Select(t => zeros_like(t)).ToArray()).ToArray();
        var second = alone.Select(a => a.Select(t => zeros_like(t)).ToArray()).ToArray();
        var steps = new int[3];
        long[] rowsPerNetwork = [3, 1];
        void Step(int networks)
        {
            adam.ZeroGrad();
            using (enable_grad())
                parameters.Select(p => p.square().sin().sum()).Aggregate((a, b) => a.add(b)).backward();
            var gradients = parameters.Select(p => p.grad!.clone()).ToArray();
            adam.Step();
            using var noGrad = no_grad();
            for (int n = 0; n < networks; n++)
            {
                steps[n]++;
                double correction1 = 1 - Math.Pow(0.9, steps[n]), correction2 = 1 - Math.Pow(0.999, steps[n]);
                for (int i = 0; i < 2; i++)
                {
                    var gradient = gradients[i].narrow(0, n * rowsPerNetwork[i], rowsPerNetwork[i]);
                    first[n][i].mul_(0.9).add_(gradient, 0.1);
                    second[n][i].mul_(0.999).addcmul_(gradient, gradient, 1 - 0.999);
                    var denominator = second[n][i].sqrt().div_(Math.Sqrt(correction2)).add_(1e-8, 1.0);
                    alone[n][i].addcdiv_(first[n][i], denominator, -LearningRate / correction1);
                }
            }
        }

        Step(2);
        Step(2);
        using (no_grad())
        {
            parameters[0].set_(cat([parameters[0].detach(), initial[2].Weight], 0));
            parameters[1].set_(cat([parameters[1].detach(), initial[2].Bias], 0));
            parameters[0].grad = null;
            parameters[1].grad = null;
        }
        adam.Add(1);
        Assert.Equal(3, adam.Networks);
        for (int s = 0; s < 3; s++)
            Step(3);
        AssertSameBits(parameters, [cat(alone.Select(a => a[0]).ToArray(), 0), cat(alone.Select(a => a[1]).ToArray(), 0)]);
    }

    private static void AssertSameBits(IReadOnlyList<Tensor> actual, IReadOnlyList<Tensor> expected)
    {
        for (int i = 0; i < actual.Count; i++)
            Assert.Equal(expected[i].data<float>().ToArray(), actual[i].contiguous().data<float>().ToArray());
    }
}
