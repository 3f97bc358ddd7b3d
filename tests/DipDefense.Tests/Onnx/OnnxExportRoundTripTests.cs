using DipDefense.Onnx;
using TorchSharp.Modules;

namespace DipDefense.Tests.Onnx;

/// <summary>TorchSharp CNN → ONNX (OnnxExporter) → ONNX Runtime and back through OnnxImporter.</summary>
public sealed class OnnxExportRoundTripTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "dipdefense-onnx-" + Guid.NewGuid().ToString("N"));

    public OnnxExportRoundTripTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Sequential SmallCnn()
    {
        torch.manual_seed(11);
        var net = nn.Sequential(
            ("features", nn.Sequential(
                ("conv1", nn.Conv2d(3, 8, 3, padding: 1)),
                ("bn1", nn.BatchNorm2d(8)),
                ("relu1", nn.ReLU()),
                ("pool1", nn.MaxPool2d(2)),
                ("conv2", nn.Conv2d(8, 16, 3, stride: 2, padding: 1, bias: false)),
                ("bn2", nn.BatchNorm2d(16)),
                ("relu2", nn.LeakyReLU(0.1)),
                ("drop", nn.Dropout(0.3)))),
            ("gap", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(16, 10)));
        using (torch.no_grad())
        {
            // Non-trivial running statistics and affine parameters, as after training.
            foreach (var (name, buffer) in net.named_buffers())
            {
                if (name.EndsWith("running_mean")) buffer.copy_(torch.randn(buffer.shape) * 0.2);
                if (name.EndsWith("running_var")) buffer.copy_(torch.rand(buffer.shape) + 0.5);
            }
            foreach (var (name, p) in net.named_parameters())
                if (name.Contains("bn")) p.add_(torch.randn(p.shape) * 0.1);
        }
        net.eval();
        return net;
    }

    [Fact]
    public void ExportedCnnMatchesInOnnxRuntimeAndReimports()
    {
        using var net = SmallCnn();
        string path = Path.Combine(_dir, "small-cnn.onnx");
        OnnxExporter.Export(net, [1, 3, 16, 16], path);
        Assert.True(File.Exists(path));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.rand(4, 3, 16, 16); // batch 4 although exported with 1: the batch is symbolic
        var expected = net.call(x);
        Assert.Equal(new long[] { 4, 10 }, expected.shape);

        using var ort = new OrtReference(path);
        var fromOrt = ort.Run(x);
        Assert.Equal(expected.shape, fromOrt.shape);
        double ortDiff = (fromOrt - expected).abs().max().item<float>();
        Assert.True(ortDiff <= 1e-5, $"ONNX Runtime differs from TorchSharp by {ortDiff}");

        using var reimported = OnnxImporter.Load(path);
        Assert.Equal(OnnxExporter.InputName, reimported.InputName);
        Assert.Equal(OnnxExporter.OutputName, reimported.OutputName);
        Assert.Equal(new long[] { -1, 3, 16, 16 }, reimported.InputShape);
        Assert.Equal(new long[] { -1, 10 }, reimported.OutputShape);
        var fromImport = reimported.call(x);
        double importDiff = (fromImport - expected).abs().max().item<float>();
        Assert.True(importDiff <= 1e-5, $"re-imported module differs from TorchSharp by {importDiff}");
    }

    [Fact]
    public void PoolingVariantsAndBytesExportMatchOnnxRuntime()
    {
        torch.manual_seed(5);
        using var net = nn.Sequential(
            ("conv", nn.Conv2d(2, 4, 3, stride: 1, padding: 2, dilation: 2)),
            ("avg", nn.AvgPool2d(3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false)),
            ("relu", nn.ReLU()),
            ("max", nn.MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(4 * 3 * 3, 3)));
        net.eval();
        byte[] bytes = OnnxExporter.ExportToBytes(net, [2, 2, 11, 11]);

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.randn(2, 2, 11, 11);
        var expected = net.call(x);
        using var ort = new OrtReference(bytes);
        var fromOrt = ort.Run(x);
        Assert.Equal(expected.shape, fromOrt.shape);
        Assert.True((fromOrt - expected).abs().max().item<float>() <= 1e-5);
        using var reimported = OnnxImporter.FromBytes(bytes);
        Assert.True((reimported.call(x) - expected).abs().max().item<float>() <= 1e-5);
    }

    [Fact]
    public void UnsupportedModuleIsNamed()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("act", nn.GELU()));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(net, [1, 3, 8, 8]));
        Assert.Contains("GELU", e.Message);
        Assert.Contains("'act'", e.Message);
    }
}
