using DipDefense.Dip;

namespace DipDefense.Tests.Dip;

public class DipFlopsTests
{
    [Fact]
    public void MediumNetworkOnCifarCostsAbout43MflopForwardAnd128PerIteration()
    {
        // Hand count (docs/performance.md): level 0 at 32×32 — skip 0.20, down 4.72 + 4.72, up 20.64, 1×1 2.10; level 1 at 16×16 —
        // 0.05, 1.18 + 1.18, 5.16, 0.52; level 2 at 8×8 — 0.01, 0.29 + 0.29, 1.29, 0.13; output 0.20 (MFLOP).
        double forward = DipFlops.Forward(DipNetworkConfig.Medium, 3, 32, 32);
        Assert.Equal(42.7e6, forward, 0.1e6);
        Assert.Equal(3 * forward, DipFlops.Iteration(DipNetworkConfig.Medium, 3, 32, 32));
    }

    [Fact]
    public void SidesArePaddedToTheNetworksMultiple()
    {
        Assert.Equal(DipFlops.Forward(DipNetworkConfig.Medium, 3, 32, 32), DipFlops.Forward(DipNetworkConfig.Medium, 3, 30, 27));
        Assert.True(DipFlops.Forward(DipNetworkConfig.Medium, 3, 33, 32) > DipFlops.Forward(DipNetworkConfig.Medium, 3, 32, 32));
    }
}
