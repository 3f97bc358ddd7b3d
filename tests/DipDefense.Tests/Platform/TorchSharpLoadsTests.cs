namespace DipDefense.Tests.Platform;

public class TorchSharpLoadsTests
{
    /// <summary>
    /// The first TorchSharp call loads libLibTorchSharp.so; on Debian 12 this only works when the build
    /// marked GLIBCXX_3.4.32 weak. A few Adam steps on a tiny conv net must reduce the loss.
    /// </summary>
    [Fact]
    public void TinyConvNetTrainsWithAdam()
    {
        torch.manual_seed(7);
        using var net = nn.Sequential(
            ("conv", nn.Conv2d(3, 8, 3, padding: 1)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(8, 2)));
        using var x = torch.rand(16, 3, 8, 8);
        using var y = torch.cat(new[] { torch.zeros(8, ScalarType.Int64), torch.ones(8, ScalarType.Int64) });
        using (torch.no_grad())
            x.narrow(0, 8, 8).add_(0.5); // the two classes differ in brightness
        using var optimizer = optim.Adam(net.parameters(), lr: 0.05);
        using var lossFn = nn.CrossEntropyLoss();

        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = lossFn.call(net.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }

        Assert.True(float.IsFinite(last));
        Assert.True(last < 0.5f * first, $"loss went from {first} to {last}");
    }
}
