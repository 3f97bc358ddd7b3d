using DipDefense.Onnx;
using static DipDefense.Tests.Onnx.OnnxTestGraph;

namespace DipDefense.Tests.Onnx;

/// <summary>Each supported op variant on a tiny graph: the imported module must match ONNX Runtime within 1e-5.</summary>
public class OnnxOpParityTests
{
    const double Tolerance = 1e-5;

    /// <summary>Runs the graph on a deterministic random input with ONNX Runtime and the importer; compares.</summary>
    static void AssertMatchesOrt(OnnxTestGraph graph, long[] inputShape, int seed = 1)
    {
        byte[] bytes = graph.ToBytes();
        int count = (int)inputShape.Aggregate(1L, (a, b) => a * b);
        float[] data = Random(count, seed);
        using var ort = new OrtReference(bytes);
        var (expected, expectedShape) = ort.Run(data, inputShape);

        using var module = OnnxImporter.FromBytes(bytes);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(data, inputShape).requires_grad_(true);
        var y = module.call(x);
        Assert.Equal(expectedShape, y.shape);
        var reference = torch.tensor(expected, expectedShape);
        double diff = y.numel() == 0 ? 0 : (y.detach() - reference).abs().max().item<float>();
        Assert.True(diff <= Tolerance, $"max abs difference {diff} exceeds {Tolerance}");
        Assert.True(y.numel() == 0 || reference.abs().max().item<float>() > 0, "degenerate all-zero reference");
    }

    [Fact]
    public void ConvWithGroupsDilationsAsymmetricPadsAndStrides() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 4, 9, 11)
            .Floats("w", Random(6 * 2 * 3 * 3, 2), 6, 2, 3, 3)
            .Floats("b", Random(6, 3), 6)
            .Node("Conv", ["x", "w", "b"], ["y"], Int("group", 2), Ints("dilations", 2, 1), Ints("pads", 1, 0, 2, 1), Ints("strides", 2, 1), Ints("kernel_shape", 3, 3))
            .Output("y"),
        [2, 4, 9, 11]);

    [Fact]
    public void ConvSymmetricPadsWithoutBias() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 3, 8, 8)
            .Floats("w", Random(5 * 3 * 3 * 3, 4), 5, 3, 3, 3)
            .Node("Conv", ["x", "w"], ["y"], Ints("pads", 1, 1, 1, 1))
            .Output("y"),
        [2, 3, 8, 8]);

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void ConvAutoPad(string autoPad) => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 7, 8)
            .Floats("w", Random(3 * 2 * 4 * 3, 5), 3, 2, 4, 3)
            .Floats("b", Random(3, 6), 3)
            .Node("Conv", ["x", "w", "b"], ["y"], Str("auto_pad", autoPad), Ints("strides", 2, 2))
            .Output("y"),
        [1, 2, 7, 8]);

    [Fact]
    public void Conv1D() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 10)
            .Floats("w", Random(4 * 2 * 3, 7), 4, 2, 3)
            .Node("Conv", ["x", "w"], ["y"], Ints("pads", 2, 1), Ints("strides", 2))
            .Output("y"),
        [2, 2, 10]);

    [Fact]
    public void ConvTransposeWithStridesPadsOutputPaddingAndGroups() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 4, 5, 6)
            .Floats("w", Random(4 * 3 * 3 * 3, 8), 4, 3, 3, 3)
            .Floats("b", Random(6, 9), 6)
            .Node("ConvTranspose", ["x", "w", "b"], ["y"], Int("group", 2), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Ints("output_padding", 1, 0))
            .Output("y"),
        [2, 4, 5, 6]);

    [Fact]
    public void ConvTransposeWithAsymmetricPads() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 4, 4)
            .Floats("w", Random(2 * 3 * 4 * 4, 10), 2, 3, 4, 4)
            .Node("ConvTranspose", ["x", "w"], ["y"], Ints("strides", 2, 2), Ints("pads", 1, 0, 2, 1))
            .Output("y"),
        [1, 2, 4, 4]);

    [Fact]
    public void MaxPoolWithPadsStridesAndCeilMode() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 3, 10, 9)
            .Node("MaxPool", ["x"], ["y"], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1))
            .Output("y"),
        [2, 3, 10, 9]);

    [Fact]
    public void MaxPoolWithAsymmetricPadsAndDilations() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 9, 9)
            .Node("MaxPool", ["x"], ["y"], Ints("kernel_shape", 2, 3), Ints("strides", 1, 2), Ints("pads", 0, 1, 1, 2), Ints("dilations", 2, 1))
            .Output("y"),
        [1, 2, 9, 9]);

    [Fact]
    public void MaxPoolSameUpper() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 7, 7)
            .Node("MaxPool", ["x"], ["y"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Str("auto_pad", "SAME_UPPER"))
            .Output("y"),
        [1, 2, 7, 7]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePoolWithSymmetricPads(int countIncludePad) => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 3, 8, 8)
            .Node("AveragePool", ["x"], ["y"], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", countIncludePad))
            .Output("y"),
        [2, 3, 8, 8]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePoolWithAsymmetricPads(int countIncludePad) => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 7, 6)
            .Node("AveragePool", ["x"], ["y"], Ints("kernel_shape", 3, 2), Ints("strides", 1, 2), Ints("pads", 0, 1, 2, 0), Int("count_include_pad", countIncludePad))
            .Output("y"),
        [2, 2, 7, 6]);

    [Fact]
    public void AveragePoolCeilModeWithoutPads() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 7, 7)
            .Node("AveragePool", ["x"], ["y"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 1))
            .Output("y"),
        [1, 2, 7, 7]);

    [Fact]
    public void GlobalAveragePoolThenFlatten() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 5, 4, 3)
            .Node("GlobalAveragePool", ["x"], ["g"])
            .Node("Flatten", ["g"], ["y"], Int("axis", 1))
            .Output("y"),
        [3, 5, 4, 3]);

    [Fact]
    public void GemmWithTransBAlphaBeta() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 6)
            .Floats("w", Random(4 * 6, 11), 4, 6)
            .Floats("c", Random(4, 12), 4)
            .Node("Gemm", ["x", "w", "c"], ["y"], Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f))
            .Output("y"),
        [3, 6]);

    [Fact]
    public void GemmWithTransAAndMatrixBias() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", 6, 3)
            .Floats("w", Random(6 * 4, 13), 6, 4)
            .Floats("c", Random(3 * 4, 14), 3, 4)
            .Node("Gemm", ["x", "w", "c"], ["y"], Int("transA", 1), Float("alpha", 1.5f))
            .Output("y"),
        [6, 3]);

    [Fact]
    public void MatMulAddRelu() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 5)
            .Floats("w", Random(5 * 3, 15), 5, 3)
            .Floats("b", Random(3, 16), 3)
            .Node("MatMul", ["x", "w"], ["m"])
            .Node("Add", ["m", "b"], ["a"])
            .Node("Relu", ["a"], ["y"])
            .Output("y"),
        [4, 5]);

    [Fact]
    public void BatchNormalization() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 4, 3, 3)
            .Floats("scale", Random(4, 17), 4)
            .Floats("bias", Random(4, 18), 4)
            .Floats("mean", Random(4, 19), 4)
            .Floats("var", Random(4, 20, 0.5f, 2f), 4)
            .Node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], Float("epsilon", 1e-3f))
            .Output("y"),
        [2, 4, 3, 3]);

    [Theory]
    [InlineData("reflect")]
    [InlineData("edge")]
    [InlineData("constant")]
    public void PadModes(string mode) => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 2, 5, 6)
            .Longs("pads", [0, 0, 2, 1, 0, 0, 1, 3], 8)
            .Floats("value", [0.75f])
            .Node("Pad", ["x", "pads", mode == "constant" ? "value" : ""], ["y"], Str("mode", mode))
            .Output("y"),
        [2, 2, 5, 6]);

    [Fact]
    public void PadOpset2Attributes() => AssertMatchesOrt(
        new OnnxTestGraph(opset: 10)
            .Input("x", -1, 2, 4, 4)
            .Node("Pad", ["x"], ["y"], Ints("pads", 0, 0, 1, 2, 0, 0, 2, 1), Float("value", -0.5f))
            .Output("y"),
        [1, 2, 4, 4]);

    [Theory]
    [InlineData(13, 1)]
    [InlineData(13, -1)]
    [InlineData(11, 1)]
    public void Softmax(int opset, long axis) => AssertMatchesOrt(
        new OnnxTestGraph(opset)
            .Input("x", -1, 3, 4)
            .Node("Softmax", ["x"], ["y"], Int("axis", axis))
            .Output("y"),
        [2, 3, 4]);

    [Fact]
    public void ClipWithInputs() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 10)
            .Floats("lo", [-0.3f])
            .Floats("hi", [0.5f])
            .Node("Clip", ["x", "lo", "hi"], ["y"])
            .Output("y"),
        [3, 10]);

    [Fact]
    public void ClipWithMaxOnly() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 10)
            .Floats("hi", [0.2f])
            .Node("Clip", ["x", "", "hi"], ["y"])
            .Output("y"),
        [3, 10]);

    [Fact]
    public void ClipOpset6Attributes() => AssertMatchesOrt(
        new OnnxTestGraph(opset: 6)
            .Input("x", -1, 10)
            .Node("Clip", ["x"], ["y"], Float("min", -0.1f), Float("max", 0.4f))
            .Output("y"),
        [3, 10]);

    [Fact]
    public void ReshapeWithZeroAndMinusOne() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 4, 3, 2)
            .Longs("shape", [0, -1, 2], 3)
            .Node("Reshape", ["x", "shape"], ["y"])
            .Output("y"),
        [5, 4, 3, 2]);

    [Theory]
    [InlineData(13, 1)]
    [InlineData(13, 0)]
    [InlineData(18, 1)]
    [InlineData(18, 0)]
    public void ReduceMean(int opset, int keepdims)
    {
        var graph = new OnnxTestGraph(opset).Input("x", -1, 3, 4, 5);
        if (opset >= 18)
            graph.Longs("axes", [1, -1], 2).Node("ReduceMean", ["x", "axes"], ["y"], Int("keepdims", keepdims));
        else
            graph.Node("ReduceMean", ["x"], ["y"], Ints("axes", 1, -1), Int("keepdims", keepdims));
        AssertMatchesOrt(graph.Output("y"), [2, 3, 4, 5]);
    }

    [Fact]
    public void ActivationsAndArithmetic() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 8)
            .Floats("k", Random(8, 21, 0.5f, 1.5f), 8)
            .Node("LeakyRelu", ["x"], ["a"], Float("alpha", 0.2f))
            .Node("Sigmoid", ["x"], ["s"])
            .Node("Tanh", ["x"], ["t"])
            .Node("Mul", ["a", "s"], ["m"])
            .Node("Sub", ["m", "t"], ["d"])
            .Node("Div", ["d", "k"], ["q"])
            .Node("Dropout", ["q"], ["r"])
            .Node("Identity", ["r"], ["y"])
            .Output("y"),
        [4, 8]);

    [Fact]
    public void RuntimeShapeSubgraphWithDynamicBatch() => AssertMatchesOrt(
        // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) : flatten with a computed batch size
        new OnnxTestGraph()
            .Input("x", -1, 2, 3, 4)
            .Longs("zero", [0])
            .Longs("minus1", [-1], 1)
            .Longs("axes0", [0], 1)
            .Node("Shape", ["x"], ["shape"])
            .Node("Gather", ["shape", "zero"], ["batch"], Int("axis", 0))
            .Node("Unsqueeze", ["batch", "axes0"], ["batch1"])
            .Node("Concat", ["batch1", "minus1"], ["target"], Int("axis", 0))
            .Node("Reshape", ["x", "target"], ["flat"])
            .Node("Cast", ["flat"], ["y"], Int("to", 1))
            .Output("y"),
        [3, 2, 3, 4]);

    [Fact]
    public void SliceWithNegativeStepsTransposeSqueezeAndConcat() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 3, 6, 5)
            .Longs("starts", [-1, 1], 2)
            .Longs("ends", [long.MinValue, 100], 2)
            .Longs("axes", [2, 3], 2)
            .Longs("steps", [-2, 2], 2)
            .Longs("sq", [1], 1)
            .Node("Slice", ["x", "starts", "ends", "axes", "steps"], ["s"])
            .Node("Transpose", ["s"], ["t"], Ints("perm", 0, 1, 3, 2))
            .Longs("three", [3], 1)
            .Node("Slice", ["t", "sq", "three", "sq"], ["u"])
            .Node("Concat", ["u", "t"], ["c"], Int("axis", 1))
            .Node("ReduceMean", ["c"], ["m"], Ints("axes", 3), Int("keepdims", 1))
            .Node("Squeeze", ["m", "minus"], ["y"])
            .Longs("minus", [-1], 1)
            .Output("y"),
        [2, 3, 6, 5]);

    [Fact]
    public void GatherOnDataAlongChannels() => AssertMatchesOrt(
        new OnnxTestGraph()
            .Input("x", -1, 4, 3)
            .Longs("idx", [3, -4, 1], 3)
            .Node("Gather", ["x", "idx"], ["y"], Int("axis", 1))
            .Output("y"),
        [2, 4, 3]);

    [Fact]
    public void Opset9AttributeVariantsOfSliceUnsqueezeSqueezeClipAndPad() => AssertMatchesOrt(
        new OnnxTestGraph(opset: 9)
            .Input("x", -1, 3, 6)
            .Node("Slice", ["x"], ["s"], Ints("starts", 1, -5), Ints("ends", 3, 1000), Ints("axes", 1, 2))
            .Node("Unsqueeze", ["s"], ["u"], Ints("axes", 1, 4))
            .Node("Pad", ["u"], ["p"], Ints("pads", 0, 0, 0, 1, 0, 0, 0, 0, 2, 0), Float("value", 0.25f))
            .Node("Clip", ["p"], ["c"], Float("min", -0.5f), Float("max", 0.6f))
            .Node("Squeeze", ["c"], ["y"], Ints("axes", 1, 4))
            .Output("y"),
        [2, 3, 6]);

    [Fact]
    public void ShapeOfAStaticInputIsFoldedAtImport()
    {
        var graph = new OnnxTestGraph()
            .Input("x", 2, 3, 4)
            .Longs("last", [-1], 1)
            .Node("Shape", ["x"], ["s"])
            .Node("Slice", ["s", "last", "big"], ["l"])
            .Longs("big", [10], 1)
            .Node("Concat", ["last", "l"], ["target"], Int("axis", 0))
            .Node("Reshape", ["x", "target"], ["y"])
            .Output("y");
        AssertMatchesOrt(graph, [2, 3, 4]);
        using var module = OnnxImporter.FromBytes(graph.ToBytes());
        Assert.Equal(["Reshape"], module.RuntimeOps);
        Assert.Equal(3, module.FoldedNodeCount);
    }
}
