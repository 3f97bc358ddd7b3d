using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Victims;

/// <summary>
/// An <see cref="IClassifier"/> backed by an ONNX model run with ONNX Runtime on the CPU.
/// </summary>
/// <remarks>
/// <para>
/// The model must take one float32 image batch <c>[N, C, H, W]</c> and give float32 logits <c>[N, K]</c>.
/// Any of N, C, H, W may be dynamic; a fixed N forces runs of exactly that many images (the last run is
/// padded with zero images whose outputs are dropped). Inputs are preprocessed as described by
/// <see cref="OnnxClassifierOptions"/> before the model runs.
/// </para>
/// <para>
/// The model's checks happen when it is loaded: a problem with the file or the graph is reported then,
/// with the file's name, rather than inside native code at the first query.
/// </para>
/// <para>
/// <b>Security:</b> only load models from trusted sources. An ONNX model is a program that ONNX Runtime
/// parses and executes; a crafted file can exhaust memory or exploit parser defects.
/// </para>
/// <para>
/// <see cref="Logits"/> and <see cref="Predict"/> may be called from several threads at once.
/// </para>
/// </remarks>
public sealed class OnnxClassifier : IClassifier, IDisposable
{
    readonly byte[] modelBytes;
    readonly SessionOptions sessionOptions;
    readonly InferenceSession session;
    readonly RunOptions runOptions;
    readonly string[] inputNames;
    readonly string[] outputNames;
    readonly float scale;
    readonly float[]? mean;
    readonly float[]? std;
    readonly bool identityPreprocessing;
    readonly int batchSize;
    int numClasses; // 0 while unknown; set once
    long queryCount;
    int disposed;

    /// <summary>Loads the ONNX model in <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">Path of the <c>.onnx</c> file. Only load models from trusted sources.</param>
    /// <param name="options">Input/output names, batching and preprocessing; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, or its input or output does not have the required shape or element type.</exception>
    /// <exception cref="ArgumentException">An option is invalid, or the input or output name is ambiguous or unknown.</exception>
    public OnnxClassifier(string modelPath, OnnxClassifierOptions? options = null)
        : this(ReadModelFile(modelPath), options, modelPath)
    {
    }

    /// <summary>Loads an ONNX model from its serialised bytes.</summary>
    /// <param name="model">The model bytes (copied). Only load models from trusted sources.</param>
    /// <param name="options">Input/output names, batching and preprocessing; <see langword="null"/> uses the defaults.</param>
    /// <param name="sourceName">A name for the model used in messages; <see langword="null"/> gives <c>&lt;in-memory model&gt;</c>.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model ONNX Runtime can load, or its input or output does not have the required shape or element type.</exception>
    /// <exception cref="ArgumentException">An option is invalid, or the input or output name is ambiguous or unknown.</exception>
    public static OnnxClassifier FromBytes(byte[] model, OnnxClassifierOptions? options = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxClassifier((byte[])model.Clone(), options, sourceName ?? "<in-memory model>");
    }

    OnnxClassifier(byte[] model, OnnxClassifierOptions? options, string sourceName)
    {
        options ??= new OnnxClassifierOptions();
        options.Validate();
        modelBytes = model;
        SourceName = sourceName;
        Options = options;
        scale = options.Scale;
        mean = (float[]?)options.Mean?.Clone();
        std = (float[]?)options.Std?.Clone();
        identityPreprocessing = options.IsIdentityPreprocessing;

        sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            if (options.IntraOpThreads > 0)
                sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
            try
            {
                session = new InferenceSession(model, sessionOptions);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new InvalidDataException($"'{sourceName}' is not a valid ONNX model: {FirstLine(ex.Message)}", ex);
            }
            runOptions = new RunOptions();
        }
        catch
        {
            session?.Dispose();
            sessionOptions.Dispose();
            throw;
        }

        try
        {
            InputName = SelectName("input", session.InputNames, options.InputName, nameof(OnnxClassifierOptions.InputName));
            OutputName = SelectName("output", session.OutputNames, options.OutputName, nameof(OnnxClassifierOptions.OutputName));
            if (session.InputNames.Count > 1)
                throw new InvalidDataException(
                    $"The model '{SourceName}' needs inputs {string.Join(", ", session.InputNames.Where(i => i != InputName).Select(i => $"'{i}'"))} besides '{InputName}'; a classifier feeds only the image batch.");
            inputNames = [InputName];
            outputNames = [OutputName];

            var input = session.InputMetadata[InputName];
            var output = session.OutputMetadata[OutputName];
            CheckFloatTensor("input", InputName, input);
            if (input.Dimensions.Length != 4)
                throw new InvalidDataException($"The model '{SourceName}' input '{InputName}' has shape {FormatShape(input)}; expected a 4-D image batch [N, C, H, W].");
            CheckFloatTensor("output", OutputName, output);
            if (output.Dimensions.Length != 2)
                throw new InvalidDataException($"The model '{SourceName}' output '{OutputName}' has shape {FormatShape(output)}; expected logits [N, K] (2-D).");

            var dims = input.Dimensions;
            FixedBatchSize = Static(dims[0]);
            Channels = Static(dims[1]);
            Height = Static(dims[2]);
            Width = Static(dims[3]);
            batchSize = FixedBatchSize ?? options.BatchSize;
            if (Static(output.Dimensions[0]) is int outBatch && FixedBatchSize is int inBatch && outBatch != inBatch)
                throw new InvalidDataException($"The model '{SourceName}' input '{InputName}' has batch size {inBatch} but output '{OutputName}' has shape {FormatShape(output)}.");

            options.Validate(Channels);

            if (Static(output.Dimensions[1]) is int k)
                numClasses = k;
            else if (Channels is int c && Height is int h && Width is int w)
                ProbeNumClasses(c, h, w);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The model's path, or the source name given to <see cref="FromBytes"/>; used in messages.</summary>
    public string SourceName { get; }

    /// <summary>The options the classifier was created with.</summary>
    public OnnxClassifierOptions Options { get; }

    /// <summary>The serialised model, as loaded (for saving the model with a pipeline).</summary>
    public ReadOnlyMemory<byte> ModelBytes => modelBytes;

    /// <summary>The model input that receives the images.</summary>
    public string InputName { get; }

    /// <summary>The model output that holds the logits.</summary>
    public string OutputName { get; }

    /// <summary>Channels C the model expects; <see langword="null"/> where the model leaves it dynamic.</summary>
    public int? Channels { get; }

    /// <summary>Height H the model expects; <see langword="null"/> where the model leaves it dynamic.</summary>
    public int? Height { get; }

    /// <summary>Width W the model expects; <see langword="null"/> where the model leaves it dynamic.</summary>
    public int? Width { get; }

    /// <summary>The model's fixed batch size; <see langword="null"/> when the batch dimension is dynamic.</summary>
    public int? FixedBatchSize { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// Read from the model's output shape; when the model leaves K dynamic it is found by running one zero
    /// image at load (if C, H and W are static) or at the first call to <see cref="Logits"/>.
    /// </remarks>
    /// <exception cref="InvalidOperationException">K is dynamic and no images have been classified yet.</exception>
    public int NumClasses
    {
        get
        {
            int k = Volatile.Read(ref numClasses);
            if (k == 0)
                throw new InvalidOperationException($"The model '{SourceName}' leaves the number of classes dynamic; it is known after the first call to {nameof(Logits)} or {nameof(Predict)}.");
            return k;
        }
    }

    /// <inheritdoc/>
    public long QueryCount => Interlocked.Read(ref queryCount);

    /// <inheritdoc/>
    public void ResetQueryCount() => Interlocked.Exchange(ref queryCount, 0);

    /// <summary>
    /// Checks that images of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>
    /// fit the model; dimensions the model leaves dynamic accept any size.
    /// </summary>
    /// <param name="channels">Image channels C.</param>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <exception cref="ArgumentException">The sizes differ from the model's, or one is not positive.</exception>
    public void EnsureCompatible(int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0
            || (Channels is int c && c != channels)
            || (Height is int h && h != height)
            || (Width is int w && w != width))
        {
            throw new ArgumentException(
                $"The model '{SourceName}' expects images of {Dim(Channels)}×{Dim(Height)}×{Dim(Width)} (C×H×W); the data has {channels}×{height}×{width}.");
        }
        if (mean is not null && mean.Length != channels)
            throw new ArgumentException($"{nameof(OnnxClassifierOptions)}.{nameof(OnnxClassifierOptions.Mean)} has {mean.Length} values but the images have {channels} channels.", nameof(channels));
        if (std is not null && std.Length != channels)
            throw new ArgumentException($"{nameof(OnnxClassifierOptions)}.{nameof(OnnxClassifierOptions.Std)} has {std.Length} values but the images have {channels} channels.", nameof(channels));
    }

    /// <inheritdoc/>
    /// <param name="images">float32 [N, C, H, W] on any device, values in [0, 1].</param>
    /// <returns>float32 [N, K] on the device of <paramref name="images"/>.</returns>
    /// <exception cref="ArgumentException">The images are not a float32 4-D batch, or do not fit the model (see <see cref="EnsureCompatible"/>).</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public Tensor Logits(Tensor images)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(images);
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be a float32 tensor [N, C, H, W]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.dim() != 4)
            throw new ArgumentException($"images must be a 4-D batch [N, C, H, W]; got a {images.dim()}-D tensor [{string.Join(", ", images.shape)}].", nameof(images));
        long n = images.shape[0];
        int c = checked((int)images.shape[1]), h = checked((int)images.shape[2]), w = checked((int)images.shape[3]);
        EnsureCompatible(c, h, w);
        long imageSize = (long)c * h * w;
        if (n * imageSize > Array.MaxLength)
            throw new ArgumentException($"images [{string.Join(", ", images.shape)}] hold {n * imageSize} values, more than one call can take ({Array.MaxLength}); split them into smaller batches.", nameof(images));

        using var scope = torch.NewDisposeScope();
        Tensor result;
        if (n == 0)
        {
            int k = Volatile.Read(ref numClasses);
            if (k == 0)
                k = ProbeNumClasses(c, h, w);
            result = torch.empty(0, k, dtype: ScalarType.Float32);
        }
        else
        {
            float[] data;
            var cpu = images.detach().to(CPU).contiguous();
            using (var accessor = cpu.data<float>())
                data = accessor.ToArray();
            Interlocked.Add(ref queryCount, n);
            Preprocess(data, c, h * w);
            var logits = RunBatches(data, (int)n, c, h, w, out int k);
            result = torch.tensor(logits, [n, k], dtype: ScalarType.Float32);
        }
        if (images.device.type != DeviceType.CPU)
            result = result.to(images.device);
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    /// <param name="images">float32 [N, C, H, W] on any device, values in [0, 1].</param>
    /// <returns>int64 [N] on the device of <paramref name="images"/>.</returns>
    /// <exception cref="ArgumentException">The images are not a float32 4-D batch, or do not fit the model.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public Tensor Predict(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var logits = Logits(images);
        return logits.argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        session?.Dispose();
        runOptions?.Dispose();
        sessionOptions?.Dispose();
    }

    // ---- loading ----------------------------------------------------------------------------------

    static byte[] ReadModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Model file '{modelPath}' not found.", modelPath);
        return File.ReadAllBytes(modelPath);
    }

    string SelectName(string kind, IReadOnlyList<string> available, string? requested, string optionName)
    {
        string list = string.Join(", ", available.Select(a => $"'{a}'"));
        if (requested is null)
        {
            if (available.Count == 1)
                return available[0];
            if (available.Count == 0)
                throw new InvalidDataException($"The model '{SourceName}' has no {kind}s.");
            throw new ArgumentException(
                $"The model '{SourceName}' has {available.Count} {kind}s ({list}); set {nameof(OnnxClassifierOptions)}.{optionName} to choose one.",
                optionName);
        }
        if (!available.Contains(requested))
            throw new ArgumentException(
                $"The model '{SourceName}' has no {kind} '{requested}'; available {kind}s: {list}.", optionName);
        return requested;
    }

    void CheckFloatTensor(string kind, string name, NodeMetadata meta)
    {
        if (!meta.IsTensor || meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
            throw new InvalidDataException($"The model '{SourceName}' {kind} '{name}' is a {meta.OnnxValueType}; expected a float32 tensor.");
        if (meta.ElementDataType != TensorElementType.Float)
            throw new InvalidDataException($"The model '{SourceName}' {kind} '{name}' has element type {meta.ElementDataType}; expected float32 (Float).");
    }

    static int? Static(int dim) => dim > 0 ? dim : null;

    static string Dim(int? dim) => dim?.ToString() ?? "?";

    static string FormatShape(NodeMetadata meta)
    {
        var dims = meta.Dimensions;
        var symbols = meta.SymbolicDimensions;
        var parts = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++)
            parts[i] = dims[i] > 0 ? dims[i].ToString()
                : i < symbols.Length && !string.IsNullOrEmpty(symbols[i]) ? symbols[i] : "?";
        return $"[{string.Join(", ", parts)}]";
    }

    static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }

    // ---- running ----------------------------------------------------------------------------------

    /// <summary>Finds K by running one zero image (padded to a fixed batch); not counted as a query.</summary>
    int ProbeNumClasses(int c, int h, int w)
    {
        int rows = FixedBatchSize ?? 1;
        var zeros = new float[checked(rows * c * h * w)];
        RunBatches(zeros, rows, c, h, w, out int k);
        return k;
    }

    void Preprocess(float[] data, int channels, int planeSize)
    {
        if (identityPreprocessing)
            return;
        for (long start = 0, image = 0; start < data.LongLength; start += (long)channels * planeSize, image++)
        {
            for (int ch = 0; ch < channels; ch++)
            {
                float m = mean?[ch] ?? 0f, s = std?[ch] ?? 1f;
                var plane = data.AsSpan((int)(start + (long)ch * planeSize), planeSize);
                for (int i = 0; i < plane.Length; i++)
                    plane[i] = (plane[i] * scale - m) / s;
            }
        }
    }

    /// <summary>Runs <paramref name="n"/> preprocessed images in chunks; returns the logits [n, k] row-major.</summary>
    float[] RunBatches(float[] data, int n, int c, int h, int w, out int k)
    {
        int imageSize = c * h * w;
        k = Volatile.Read(ref numClasses);
        float[]? result = k > 0 ? new float[(long)n * k] : null;
        float[]? padded = null;
        long[] shape = [batchSize, c, h, w];
        for (int start = 0; start < n; start += batchSize)
        {
            int rows = Math.Min(batchSize, n - start);
            Memory<float> chunk = data.AsMemory(start * imageSize, rows * imageSize);
            int runRows = rows;
            if (FixedBatchSize is int fixedRows && rows < fixedRows)
            {
                padded ??= new float[fixedRows * imageSize];
                chunk.Span.CopyTo(padded);
                Array.Clear(padded, rows * imageSize, (fixedRows - rows) * imageSize);
                chunk = padded;
                runRows = fixedRows;
            }
            shape[0] = runRows;

            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, chunk, shape);
            using var outputs = RunSession(input, runRows, c, h, w);
            var output = outputs.First();
            var info = output.GetTensorTypeAndShape();
            var outShape = info.Shape;
            if (info.ElementDataType != TensorElementType.Float || outShape.Length != 2 || outShape[0] != runRows || outShape[1] <= 0)
                throw new InvalidDataException(
                    $"The model '{SourceName}' output '{OutputName}' gave {info.ElementDataType} [{string.Join(", ", outShape)}] for a batch of {runRows} images; expected float32 [{runRows}, K].");
            if (result is null)
            {
                k = EstablishNumClasses(checked((int)outShape[1]));
                result = new float[(long)n * k];
            }
            if (outShape[1] != k)
                throw new InvalidDataException(
                    $"The model '{SourceName}' output '{OutputName}' gave [{string.Join(", ", outShape)}] for images of {c}×{h}×{w}; expected {k} classes as before.");
            output.GetTensorDataAsSpan<float>()[..(rows * k)].CopyTo(result.AsSpan(start * k, rows * k));
        }
        return result ?? [];
    }

    IDisposableReadOnlyCollection<OrtValue> RunSession(OrtValue input, int rows, int c, int h, int w)
    {
        try
        {
            return session.Run(runOptions, inputNames, [input], outputNames);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException(
                $"The model '{SourceName}' failed on a batch of {rows} images of {c}×{h}×{w}: {FirstLine(ex.Message)}", ex);
        }
    }

    int EstablishNumClasses(int k)
    {
        int previous = Interlocked.CompareExchange(ref numClasses, k, 0);
        return previous == 0 ? k : previous;
    }
}
