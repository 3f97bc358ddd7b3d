using DipDefense.Victims;
using DipDefense.Visualization;

namespace DipDefense.Tests.Visualization;

public sealed class SnapshotConfidencesTests
{
    static nn.Module<Tensor, Tensor> LinearVictim()
    {
        using var generator = new Generator(5);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(36, 4)));
        using (no_grad())
            foreach (var p in net.parameters())
                p.copy_(randn(p.shape, generator: generator));
        return net;
    }

    [Fact]
    public void ConfidencesAreTheSoftmaxOfTheVictimsLogitsComputedInBatches()
    {
        using var net = LinearVictim();
        var victim = new ModuleClassifier(net, 4);
        using var snapshots = rand(7, 1, 6, 6, generator: new Generator(3));

        var confidences = SnapshotConfidences.Compute(victim, snapshots, batchSize: 3);

        Assert.Equal((7, 4), (confidences.Snapshots, confidences.Classes));
        Assert.Equal(7, victim.QueryCount); // one query per snapshot, whatever the batching
        using var logits = net.call(snapshots);
        using var expected = logits.softmax(1);
        for (int i = 0; i < 7; i++)
            for (int k = 0; k < 4; k++)
                Assert.Equal(expected[i, k].item<float>(), confidences[i, k], 6);
        for (int k = 0; k < 4; k++)
            Assert.Equal(Enumerable.Range(0, 7).Select(i => confidences[i, k]), confidences.Of(k));
        Assert.Equal(logits.argmax(1).data<long>().ToArray(), confidences.Labels());
        Assert.All(Enumerable.Range(0, 7), i => Assert.Equal(1.0, Enumerable.Range(0, 4).Sum(k => confidences[i, k]), 5));
        Assert.False(snapshots.requires_grad);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        using var net = LinearVictim();
        var victim = new ModuleClassifier(net, 4);
        using var trace = rand([2L, 3, 1, 6, 6]);
        using var empty = zeros(0, 1, 6, 6);
        using var bright = full([2L, 1, 6, 6], 2f);

        Assert.Contains("Snapshots[b]", Assert.Throws<ArgumentException>(() => SnapshotConfidences.Compute(victim, trace)).Message);
        Assert.Contains("must not be empty", Assert.Throws<ArgumentException>(() => SnapshotConfidences.Compute(victim, empty)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentException>(() => SnapshotConfidences.Compute(victim, bright)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotConfidences.Compute(victim, trace[0], batchSize: 0));

        var wrongVictim = new ModuleClassifier(net, 5); // claims 5 classes, returns 4 logits
        Assert.Contains("expected [3, 5]", Assert.Throws<InvalidOperationException>(() => SnapshotConfidences.Compute(wrongVictim, trace[0])).Message);

        var confidences = SnapshotConfidences.Compute(victim, trace[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => confidences.Of(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => confidences[3, 0]);
    }
}
