using DipDefense.Onnx;
using static DipDefense.Tests.Onnx.OnnxTestGraph;

namespace DipDefense.Tests.Onnx;

/// <summary>What the importer refuses, and how it says so.</summary>
public class OnnxImportErrorTests
{
    [Theory]
    [InlineData("LSTM", "lstm_1")]
    [InlineData("Erf", "gelu/Erf")]
    public void UnsupportedOpFailsAtImportNamingOpAndNode(string op, string node)
    {
        byte[] bytes = new OnnxTestGraph()
            .Input("x", -1, 4)
            .Node("Relu", ["x"], ["r"])
            .NamedNode(op, node, ["r"], ["y"])
            .Output("y")
            .ToBytes();
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.FromBytes(bytes));
        Assert.Contains($"'{op}'", e.Message);
        Assert.Contains($"'{node}'", e.Message);
        Assert.Contains("Conv", e.Message); // lists what is supported
    }

    [Fact]
    public void UnsupportedOpInADeadBranchStillFailsAtImport()
    {
        byte[] bytes = new OnnxTestGraph()
            .Input("x", -1, 4)
            .Node("Relu", ["x"], ["y"])
            .NamedNode("Erf", "unused_erf", ["x"], ["z"])
            .Output("y")
            .ToBytes();
        Assert.Throws<NotSupportedException>(() => OnnxImporter.FromBytes(bytes));
    }

    [Fact]
    public void UnsupportedPadModeFailsAtImport()
    {
        byte[] bytes = new OnnxTestGraph(19)
            .Input("x", -1, 2, 4, 4)
            .Longs("pads", [0, 0, 1, 1, 0, 0, 1, 1], 8)
            .NamedNode("Pad", "wrap_pad", ["x", "pads"], ["y"], Str("mode", "wrap"))
            .Output("y")
            .ToBytes();
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.FromBytes(bytes));
        Assert.Contains("wrap_pad", e.Message);
        Assert.Contains("wrap", e.Message);
    }

    [Fact]
    public void RandomBytesAreNotAnOnnxModel()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        Assert.Throws<InvalidDataException>(() => OnnxImporter.FromBytes(bytes));
    }

    [Fact]
    public void RandomFileIsRejectedNamingTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dipdefense-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "not-a-model.onnx");
            var bytes = new byte[1000];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(path));
            Assert.Contains(path, e.Message);

            File.WriteAllText(path, "this is a text file, not a protobuf");
            e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MultipleInputsAreNotSupported()
    {
        byte[] bytes = new OnnxTestGraph()
            .Input("a", -1, 4)
            .Input("b", -1, 4)
            .Node("Add", ["a", "b"], ["y"])
            .Output("y")
            .ToBytes();
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.FromBytes(bytes));
        Assert.Contains("one input", e.Message);
    }

    [Fact]
    public void WrongRankIsRejectedWithTheExpectedShape()
    {
        byte[] bytes = new OnnxTestGraph().Input("x", -1, 3, 8, 8).Node("Relu", ["x"], ["y"]).Output("y").ToBytes();
        using var module = OnnxImporter.FromBytes(bytes);
        using var x = torch.zeros(3, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => module.call(x));
        Assert.Contains("rank-4", e.Message);
        Assert.Contains("[N,3,8,8]", e.Message);
    }

    [Fact]
    public void GraphWhoseOutputIsTheInputReturnsAFreshTensor()
    {
        byte[] bytes = new OnnxTestGraph().Input("x", -1, 2).Node("Identity", ["x"], ["y"]).Output("y").ToBytes();
        using var module = OnnxImporter.FromBytes(bytes);
        using var x = torch.ones(3, 2);
        Tensor y;
        using (torch.NewDisposeScope())
            y = module.call(x).DetachFromDisposeScope();
        using var _ = y;
        Assert.False(ReferenceEquals(x, y));
        Assert.Equal(6f, x.sum().item<float>()); // the input survives the module's dispose scope
    }
}
