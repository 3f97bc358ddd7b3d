using DipDefense.Baselines;
using DipDefense.Defense;

namespace DipDefense.Tests.Baselines;

public class IdentityPurifierTests
{
    [Fact]
    public void ReturnsABitForBitCopy()
    {
        float[] values = [0f, 1e-7f, 0.1f, 1f / 3, 0.5f, 0.999999f, 1f, 0.25f];
        using var images = tensor(values, [2, 1, 2, 2]);
        var identity = new IdentityPurifier();
        using var result = identity.Purify(images);
        Assert.Equal(values, result.Purified.data<float>().ToArray());
        Assert.Equal(images.shape, result.Purified.shape);
        Assert.NotEqual(images.Handle, result.Purified.Handle);
        Assert.Null(result.ImageDiagnostics);

        result.Purified.fill_(0.5f);
        Assert.Equal(values, images.data<float>().ToArray()); // a copy, not a view
        Assert.Equal("identity", identity.Name);
        Assert.False(identity.IsRandomized);
        Assert.Same(identity, identity.WithSeed(9));
        Assert.Same(images, ((IPurifier)identity).EstimateForward(images));
    }
}
