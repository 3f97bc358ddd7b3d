using DipDefense.Onnx;
using static DipDefense.Tests.Onnx.OnnxTestGraph;

namespace DipDefense.Tests.Onnx;

/// <summary>Import and forward leave no tensor behind, and weights follow the requested device.</summary>
public class OnnxModuleLifetimeTests
{
    static byte[] SmallGraph() => new OnnxTestGraph()
        .Input("x", -1, 3, 8, 8)
        .Floats("w", Random(4 * 3 * 3 * 3, 1), 4, 3, 3, 3)
        .Floats("scale", Random(4, 2), 4)
        .Floats("bias", Random(4, 3), 4)
        .Floats("mean", Random(4, 4), 4)
        .Floats("var", Random(4, 5, 0.5f, 1.5f), 4)
        .Floats("fc", Random(2 * 4, 6), 2, 4)
        .Longs("pads", [0, 0, 1, 1, 0, 0, 1, 1], 8)
        .Longs("minus1", [-1], 1)
        .Longs("zero", [0])
        .Longs("axes0", [0], 1)
        .Node("Pad", ["x", "pads"], ["p"], Str("mode", "reflect"))
        .Node("Conv", ["p", "w"], ["c"])
        .Node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["b"])
        .Node("Relu", ["b"], ["r"])
        .Node("GlobalAveragePool", ["r"], ["g"])
        .Node("Shape", ["g"], ["s"])
        .Node("Gather", ["s", "zero"], ["n"])
        .Node("Unsqueeze", ["n", "axes0"], ["n1"])
        .Node("Concat", ["n1", "minus1"], ["target"], Int("axis", 0))
        .Node("Reshape", ["g", "target"], ["f"])
        .Node("Gemm", ["f", "fc"], ["y"], Int("transB", 1))
        .Output("y")
        .ToBytes();

    [Fact]
    public void ImportForwardAndDisposeLeaveNoLiveTensors()
    {
        byte[] bytes = SmallGraph();
        using (var warm = OnnxImporter.FromBytes(bytes))
        using (var x0 = torch.rand(1, 3, 8, 8))
        using (var y0 = warm.call(x0)) { }

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var module = OnnxImporter.FromBytes(bytes))
        {
            for (int i = 0; i < 3; i++)
            {
                using var x = torch.rand(2, 3, 8, 8);
                using var y = module.call(x);
                Assert.Equal(new long[] { 2, 2 }, y.shape);
            }
        }
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void WeightsAreFrozenBuffersOnTheRequestedDevice()
    {
        using var module = OnnxImporter.FromBytes(SmallGraph(), torch.CPU);
        var buffers = module.named_buffers().ToList();
        Assert.Equal(6, buffers.Count); // w, scale, bias, mean, var, fc; the int64 shape values stay off the buffers
        Assert.All(buffers, b => Assert.False(b.buffer.requires_grad));
        Assert.All(buffers, b => Assert.Equal(DeviceType.CPU, b.buffer.device_type));
        Assert.Empty(module.parameters());
    }

    [Fact]
    public void ImportWithinACallersDisposeScopeKeepsTheWeights()
    {
        OnnxModule module;
        using (torch.NewDisposeScope())
            module = OnnxImporter.FromBytes(SmallGraph());
        using (module)
        using (var x = torch.rand(1, 3, 8, 8))
        using (var y = module.call(x))
            Assert.True(y.isfinite().all().item<bool>());
    }
}
