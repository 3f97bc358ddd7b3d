using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Victims;

/// <summary><see cref="OnnxClassifier"/> on tiny models built in the tests.</summary>
public class OnnxClassifierTests
{
    static readonly (float[] Weight, float[] Bias) Conv = TinyOnnx.RandomConv(c: 3, k: 5, seed: 11);

    static Tensor RandomImages(int n, int c = 3, int h = 8, int w = 8, int seed = 3)
    {
        var generator = new torch.Generator((ulong)seed);
        return torch.rand([n, c, h, w], generator: generator);
    }

    static float MaxAbsDiff(Tensor a, Tensor b)
    {
        using var diff = (a - b).abs().max();
        return diff.item<float>();
    }

    // ---- running ------------------------------------------------------------------------------------

    [Fact]
    public void DynamicBatch_MatchesTorchReference_AndReportsShape()
    {
        using var dir = new TempDir();
        string path = dir.Write("conv.onnx", TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8));
        using var classifier = new OnnxClassifier(path, new OnnxClassifierOptions { BatchSize = 4 });
        Assert.Equal("x", classifier.InputName);
        Assert.Equal("y", classifier.OutputName);
        Assert.Equal(5, classifier.NumClasses);
        Assert.Equal((3, 8, 8), (classifier.Channels, classifier.Height, classifier.Width));
        Assert.Null(classifier.FixedBatchSize);
        Assert.Equal(path, classifier.SourceName);

        using var images = RandomImages(10);
        using var expected = TinyOnnx.ConvGapReference(images, Conv.Weight, Conv.Bias);
        using var logits = classifier.Logits(images);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.Equal(new long[] { 10, 5 }, logits.shape);
        Assert.True(MaxAbsDiff(expected, logits) < 1e-5f, $"max abs diff {MaxAbsDiff(expected, logits)}");
        Assert.Equal(10, classifier.QueryCount);

        using var predicted = classifier.Predict(images);
        using var argmax = expected.argmax(1);
        Assert.Equal(ScalarType.Int64, predicted.dtype);
        Assert.Equal(argmax.data<long>().ToArray(), predicted.data<long>().ToArray());
        Assert.Equal(20, classifier.QueryCount);
    }

    [Fact]
    public void FixedBatchOf4_TenImages_MatchesEachImageRunAloneWithPadding()
    {
        var bytes = TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, 4, 3, 8, 8);
        using var classifier = OnnxClassifier.FromBytes(bytes);
        Assert.Equal(4, classifier.FixedBatchSize);
        Assert.Equal("<in-memory model>", classifier.SourceName);
        Assert.Equal(bytes, classifier.ModelBytes.ToArray());

        using var images = RandomImages(10, seed: 5);
        using var logits = classifier.Logits(images);
        Assert.Equal(new long[] { 10, 5 }, logits.shape);
        for (int i = 0; i < 10; i++)
        {
            using var one = images[i..(i + 1)];
            using var alone = classifier.Logits(one); // 1 image + 3 zero images
            Assert.Equal(new long[] { 1, 5 }, alone.shape);
            using var row = logits[i..(i + 1)];
            Assert.True(MaxAbsDiff(row, alone) < 1e-6f, $"image {i}: max abs diff {MaxAbsDiff(row, alone)}");
        }
        using var expected = TinyOnnx.ConvGapReference(images, Conv.Weight, Conv.Bias);
        Assert.True(MaxAbsDiff(expected, logits) < 1e-5f);
        Assert.Equal(20, classifier.QueryCount); // padding images are not queries
    }

    [Fact]
    public void ScaleMeanStd_EqualManualPreprocessing()
    {
        var bytes = TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8);
        float[] mean = [0.4914f, 0.4822f, 0.4465f], std = [0.247f, 0.243f, 0.261f];
        using var preprocessing = OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { Scale = 2f, Mean = mean, Std = std });
        using var plain = OnnxClassifier.FromBytes(bytes);

        using var images = RandomImages(6, seed: 9);
        using var meanT = torch.tensor(mean).reshape(1, 3, 1, 1);
        using var stdT = torch.tensor(std).reshape(1, 3, 1, 1);
        using var manual = (images * 2f - meanT) / stdT;

        using var expected = plain.Logits(manual);
        using var actual = preprocessing.Logits(images);
        using var unprocessed = plain.Logits(images);
        Assert.True(MaxAbsDiff(expected, actual) < 1e-4f, $"max abs diff {MaxAbsDiff(expected, actual)}");
        Assert.True(MaxAbsDiff(unprocessed, actual) > 0.01f, "preprocessing had no effect");
        // The caller's images are not modified.
        using var again = plain.Logits(images);
        Assert.Equal(0f, MaxAbsDiff(unprocessed, again));
    }

    [Fact]
    public void SymbolicK_WithStaticImageSize_IsFoundAtLoad_WithoutCountingQueries()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8, symbolicK: true));
        Assert.Equal(5, classifier.NumClasses);
        Assert.Equal(0, classifier.QueryCount);
    }

    [Fact]
    public void SymbolicK_WithDynamicImageSize_IsFoundAtFirstCall()
    {
        var bytes = new TinyOnnx()
            .Input("x", TinyOnnx.Float, "N", "C", "H", "W")
            .Output("y", TinyOnnx.Float, "N", "K")
            .Node("Flatten", ["x"], ["y"])
            .ToBytes();
        using var classifier = OnnxClassifier.FromBytes(bytes, sourceName: "flatten");
        Assert.Null(classifier.Channels);
        Assert.Null(classifier.Height);
        Assert.Null(classifier.Width);
        var error = Assert.Throws<InvalidOperationException>(() => classifier.NumClasses);
        Assert.Contains("'flatten'", error.Message);

        classifier.EnsureCompatible(1, 28, 28); // dynamic dimensions accept anything
        using var images = RandomImages(3, c: 1, h: 2, w: 3);
        using var logits = classifier.Logits(images);
        Assert.Equal(6, classifier.NumClasses);
        using var flat = images.reshape(3, 6);
        Assert.Equal(0f, MaxAbsDiff(flat, logits));
    }

    [Fact]
    public void EmptyBatch_GivesZeroByK()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8));
        using var images = torch.zeros(0, 3, 8, 8);
        using var logits = classifier.Logits(images);
        Assert.Equal(new long[] { 0, 5 }, logits.shape);
        using var predicted = classifier.Predict(images);
        Assert.Equal(new long[] { 0 }, predicted.shape);
        Assert.Equal(0, classifier.QueryCount);
    }

    [Fact]
    public void ReturnedTensors_DoNotLeakTemporaries()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8));
        using var images = RandomImages(4);
        using var scope = torch.NewDisposeScope();
        using (var logits = classifier.Logits(images))
        using (var predicted = classifier.Predict(images))
        {
            Assert.Equal(2, scope.DisposablesCount); // only the two returned tensors
        }
        Assert.False(images.IsInvalid);
    }

    [Fact]
    public void ConcurrentCalls_GiveTheSameLogits_AndCountEveryImage()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8), new OnnxClassifierOptions { BatchSize = 3 });
        using var images = RandomImages(7);
        using var expected = classifier.Logits(images);
        var diffs = new float[16];
        Parallel.For(0, diffs.Length, i =>
        {
            using var logits = classifier.Logits(images);
            diffs[i] = MaxAbsDiff(expected, logits);
        });
        Assert.All(diffs, d => Assert.Equal(0f, d));
        Assert.Equal(7 * 17, classifier.QueryCount);
    }

    [Fact]
    public void Dispose_ThenLogits_ThrowsObjectDisposed()
    {
        var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8));
        classifier.Dispose();
        classifier.Dispose();
        using var images = RandomImages(1);
        Assert.Throws<ObjectDisposedException>(() => classifier.Logits(images));
    }

    // ---- load errors ----------------------------------------------------------------------------------

    [Fact]
    public void MissingFile_ThrowsFileNotFound_NamingThePath()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "absent.onnx");
        var error = Assert.Throws<FileNotFoundException>(() => new OnnxClassifier(path));
        Assert.Equal($"Model file '{path}' not found.", error.Message);
    }

    [Fact]
    public void RandomBytes_ThrowInvalidData_NamingTheFileAndOrtError()
    {
        using var dir = new TempDir();
        var bytes = new byte[1000];
        new Random(42).NextBytes(bytes);
        string path = dir.Write("random.onnx", bytes);
        var error = Assert.Throws<InvalidDataException>(() => new OnnxClassifier(path));
        Assert.StartsWith($"'{path}' is not a valid ONNX model: ", error.Message);
        Assert.True(error.Message.Length > $"'{path}' is not a valid ONNX model: ".Length, "ORT's reason is missing");
        Assert.DoesNotContain('\n', error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void Rank3Input_ThrowsInvalidData_WithTheShape()
    {
        using var dir = new TempDir();
        string path = dir.Write("rank3.onnx", new TinyOnnx()
            .Input("x", TinyOnnx.Float, "N", 3, 32)
            .Output("y", TinyOnnx.Float, "N", 3, 32)
            .Node("Identity", ["x"], ["y"])
            .ToBytes());
        var error = Assert.Throws<InvalidDataException>(() => new OnnxClassifier(path));
        Assert.Equal($"The model '{path}' input 'x' has shape [N, 3, 32]; expected a 4-D image batch [N, C, H, W].", error.Message);
    }

    [Fact]
    public void OutputNotNK_ThrowsInvalidData_WithTheShape()
    {
        using var dir = new TempDir();
        string path = dir.Write("nk11.onnx", new TinyOnnx()
            .Input("x", TinyOnnx.Float, "N", 3, 8, 8)
            .Output("y", TinyOnnx.Float, "N", 5, 1, 1)
            .Initializer("W", [5, 3, 3, 3], Conv.Weight)
            .Initializer("B", [5], Conv.Bias)
            .Node("Conv", ["x", "W", "B"], ["conv"], TinyOnnx.Ints("pads", 1, 1, 1, 1))
            .Node("GlobalAveragePool", ["conv"], ["y"])
            .ToBytes());
        var error = Assert.Throws<InvalidDataException>(() => new OnnxClassifier(path));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("output 'y' has shape [N, 5, 1, 1]", error.Message);
        Assert.Contains("[N, K]", error.Message);
    }

    [Fact]
    public void DoubleInput_ThrowsInvalidData_NamingTheElementType()
    {
        var bytes = new TinyOnnx()
            .Input("x", TinyOnnx.Double, "N", 3, 4, 4)
            .Output("y", TinyOnnx.Double, "N", 48)
            .Node("Flatten", ["x"], ["y"])
            .ToBytes();
        var error = Assert.Throws<InvalidDataException>(() => OnnxClassifier.FromBytes(bytes, sourceName: "double.onnx"));
        Assert.Contains("'double.onnx' input 'x'", error.Message);
        Assert.Contains("Double", error.Message);
        Assert.Contains("float32", error.Message);
    }

    static byte[] TwoInputs() => new TinyOnnx()
        .Input("x", TinyOnnx.Float, "N", 3, 8, 8)
        .Input("z", TinyOnnx.Float, "N", 3, 8, 8)
        .Output("y", TinyOnnx.Float, "N", 3)
        .Node("Add", ["x", "z"], ["sum"])
        .Node("GlobalAveragePool", ["sum"], ["gap"])
        .Node("Flatten", ["gap"], ["y"])
        .ToBytes();

    [Fact]
    public void SeveralInputs_NoName_ThrowsArgument_ListingThem()
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(TwoInputs(), sourceName: "two.onnx"));
        Assert.Contains("'two.onnx' has 2 inputs ('x', 'z')", error.Message);
        Assert.Contains("InputName", error.Message);
    }

    [Fact]
    public void NamedInput_WithOtherRequiredInputs_ThrowsInvalidData_NamingThem()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            OnnxClassifier.FromBytes(TwoInputs(), new OnnxClassifierOptions { InputName = "x" }, "two.onnx"));
        Assert.Contains("'two.onnx' needs inputs 'z' besides 'x'", error.Message);
    }

    [Fact]
    public void InputBackedByInitializer_IsNotARequiredInput()
    {
        // Older exporters list the weights among the graph inputs; ONNX Runtime does not count them.
        var bytes = new TinyOnnx()
            .Input("x", TinyOnnx.Float, "N", 3, 8, 8)
            .Input("W", TinyOnnx.Float, 5, 3, 3, 3)
            .Output("y", TinyOnnx.Float, "N", 5)
            .Initializer("W", [5, 3, 3, 3], Conv.Weight)
            .Initializer("B", [5], Conv.Bias)
            .Node("Conv", ["x", "W", "B"], ["conv"], TinyOnnx.Ints("pads", 1, 1, 1, 1))
            .Node("GlobalAveragePool", ["conv"], ["gap"])
            .Node("Flatten", ["gap"], ["y"])
            .ToBytes();
        using var classifier = OnnxClassifier.FromBytes(bytes);
        Assert.Equal("x", classifier.InputName);
        using var images = RandomImages(3);
        using var expected = TinyOnnx.ConvGapReference(images, Conv.Weight, Conv.Bias);
        using var logits = classifier.Logits(images);
        Assert.True(MaxAbsDiff(expected, logits) < 1e-5f);
    }

    [Fact]
    public void SeveralOutputs_NamedOutputIsUsed()
    {
        var bytes = new TinyOnnx()
            .Input("x", TinyOnnx.Float, "N", 3, 4, 4)
            .Output("features", TinyOnnx.Float, "N", 48)
            .Output("scores", TinyOnnx.Float, "N", 3)
            .Node("Flatten", ["x"], ["features"])
            .Node("GlobalAveragePool", ["x"], ["gap"])
            .Node("Flatten", ["gap"], ["scores"])
            .ToBytes();
        var error = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(bytes, sourceName: "multi.onnx"));
        Assert.Contains("'multi.onnx' has 2 outputs ('features', 'scores')", error.Message);
        Assert.Contains("OutputName", error.Message);

        using var classifier = OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { OutputName = "scores" });
        Assert.Equal(3, classifier.NumClasses);
        using var images = RandomImages(2, h: 4, w: 4);
        using var logits = classifier.Logits(images);
        using var expected = images.mean([2, 3]);
        Assert.True(MaxAbsDiff(expected, logits) < 1e-6f);
    }

    [Fact]
    public void UnknownInputName_ThrowsArgument_ListingAvailableNames()
    {
        var bytes = TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8);
        var error = Assert.Throws<ArgumentException>(() =>
            OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { InputName = "image" }, "conv.onnx"));
        Assert.Contains("'conv.onnx' has no input 'image'; available inputs: 'x'", error.Message);
        var outputError = Assert.Throws<ArgumentException>(() =>
            OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { OutputName = "probs" }, "conv.onnx"));
        Assert.Contains("no output 'probs'; available outputs: 'y'", outputError.Message);
    }

    [Fact]
    public void InvalidOptions_ThrowArgument_NamingTheOption()
    {
        var bytes = TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8);
        var batch = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { BatchSize = 0 }));
        Assert.Contains("BatchSize", batch.Message);
        var std = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { Std = [0.2f, 0f, 0.2f] }));
        Assert.Contains("Std[1]", std.Message);
        var mean = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { Mean = [0.5f, 0.5f] }));
        Assert.Contains("Mean has 2 values but the images have 3 channels", mean.Message);
        var threads = Assert.Throws<ArgumentException>(() => OnnxClassifier.FromBytes(bytes, new OnnxClassifierOptions { IntraOpThreads = -1 }));
        Assert.Contains("IntraOpThreads", threads.Message);
    }

    // ---- input checks ---------------------------------------------------------------------------------

    [Fact]
    public void EnsureCompatible_WrongChannels_ThrowsArgument_WithBothShapes()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8), sourceName: "conv.onnx");
        classifier.EnsureCompatible(3, 8, 8);
        var error = Assert.Throws<ArgumentException>(() => classifier.EnsureCompatible(1, 28, 28));
        Assert.Equal("The model 'conv.onnx' expects images of 3×8×8 (C×H×W); the data has 1×28×28.", error.Message);
    }

    [Fact]
    public void Logits_WrongChannels_ThrowsArgument_AndCountsNoQueries()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8), sourceName: "conv.onnx");
        using var gray = RandomImages(2, c: 1);
        var error = Assert.Throws<ArgumentException>(() => classifier.Logits(gray));
        Assert.Equal("The model 'conv.onnx' expects images of 3×8×8 (C×H×W); the data has 1×8×8.", error.Message);
        Assert.Throws<ArgumentException>(() => classifier.Predict(gray));
        Assert.Equal(0, classifier.QueryCount);
    }

    [Fact]
    public void Logits_BadDtypeOrRank_ThrowsArgument()
    {
        using var classifier = OnnxClassifier.FromBytes(TinyOnnx.ConvGap(Conv.Weight, Conv.Bias, "N", 3, 8, 8));
        using var doubles = torch.rand([2, 3, 8, 8], dtype: ScalarType.Float64);
        var dtype = Assert.Throws<ArgumentException>(() => classifier.Logits(doubles));
        Assert.Contains("float32", dtype.Message);
        Assert.Contains("Float64 [2, 3, 8, 8]", dtype.Message);

        using var single = torch.rand(3, 8, 8);
        var rank = Assert.Throws<ArgumentException>(() => classifier.Logits(single));
        Assert.Contains("4-D", rank.Message);
        Assert.Contains("[3, 8, 8]", rank.Message);
        Assert.Equal(0, classifier.QueryCount);
    }
}
