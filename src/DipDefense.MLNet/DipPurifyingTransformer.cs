using DipDefense.Defense;
using DipDefense.Victims;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.MLNet;

/// <summary>
/// The <see cref="ITransformer"/> of <c>mlContext.Transforms.DipPurify(...)</c>: purifies an image column with the
/// decision-space Deep Image Prior defense (Ding, Wang et al., ACM MM 2021; the core <see cref="DecisionSpacePurifier"/>)
/// before the images reach the protected classifier.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Characteristic</term><description>Value</description></listheader>
/// <item><term>Needs training</term><description>No (a trivial estimator)</description></item>
/// <item><term>Input column</term><description><c>MLImage</c>, or a known-size vector of <see cref="float"/> laid out as <c>ExtractPixels</c> writes it (planar [C, H, W], (p − offset) × scale)</description></item>
/// <item><term>Output columns</term><description>The purified images, of the input column's type; optionally the victim's label (<see cref="long"/>) and whether crossings were found (<see cref="bool"/>)</description></item>
/// <item><term>Evaluation</term><description>Lazy: rows are purified as a cursor advances, in blocks of <see cref="DipPurifyOptions.BatchSize"/> rows; row r uses DIP seed <c>Seed + r</c>, so results do not depend on the block size</description></item>
/// <item><term>Saving</term><description><see cref="DipPurifyModel.Save(MLContext, ITransformer, DataViewSchema, string)"/>; <c>mlContext.Model.Save</c> cannot store it and says so</description></item>
/// </list>
/// <para>
/// Several cursors may run at once (each purifies its own blocks). Cancelling the ML.NET context
/// (<see cref="MLContextCancellation.CancelExecution"/>) stops a running block before its next DIP iteration with an
/// <see cref="OperationCanceledException"/>. <c>PredictionEngine</c> works too: it purifies one row per call (B = 1),
/// with seed <c>Seed + Position</c> of its input row.
/// </para>
/// <para>
/// The transformer owns the victim's ONNX Runtime session: dispose it (or the <see cref="TransformerChain{TLastTransformer}"/>
/// holding it). <b>Security:</b> only load models from trusted sources.
/// </para>
/// </remarks>
public sealed class DipPurifyingTransformer : ITransformer, IDisposable
{
    readonly DipPurifyOptions options;
    readonly IPurifier purifier;
    readonly Device device;
    readonly HostCancellation cancellation;

    /// <summary>Builds the transformer; loads the victim from <paramref name="victimModel"/> when given, else from <see cref="DipPurifyOptions.ModelPath"/>.</summary>
    internal DipPurifyingTransformer(IHostEnvironment environment, DipPurifyOptions options, byte[]? victimModel = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Clone();
        var defense = this.options.Validate(nameof(options));
        device = ResolveDevice(this.options.Device);
        cancellation = new HostCancellation(environment, nameof(DipPurifyingTransformer));
        Victim = victimModel is null
            ? new OnnxClassifier(this.options.ModelPath, this.options.Victim)
            : OnnxClassifier.FromBytes(victimModel, this.options.Victim, this.options.ModelPath);
        purifier = defense.Create(Victim);
    }

    /// <summary>The column that receives the purified images.</summary>
    public string OutputColumnName => options.OutputColumnName;

    /// <summary>The column of images to purify.</summary>
    public string InputColumnName => options.SourceColumnName;

    /// <summary>A copy of the settings the transformer was built with.</summary>
    public DipPurifyOptions Options => options.Clone();

    /// <summary>Always true: the transformer maps each row on its own, so <c>PredictionEngine</c> can use it (B = 1).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The protected classifier (owned by the transformer).</summary>
    internal OnnxClassifier Victim { get; }

    /// <summary>The input schema with the output columns appended.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, of the wrong type or size, or does not fit the victim; the message names it.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema, nameof(inputSchema)).OutputSchema;

    /// <summary>A lazy view of <paramref name="input"/> with the purified columns: nothing is purified until a cursor reads them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, of the wrong type or size, or does not fit the victim.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new DipPurifiedDataView(this, input, Bind(input.Schema, nameof(input)));
    }

    /// <summary>A row mapper that purifies each row alone (B = 1), as <c>PredictionEngine</c> needs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, of the wrong type or size, or does not fit the victim.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new DipPurifyRowMapper(this, Bind(inputSchema, nameof(inputSchema)));

    /// <summary>
    /// Always throws: ML.NET 5 gives external components no way to write their state into its model files.
    /// </summary>
    /// <exception cref="NotSupportedException">Always; the message says to use <see cref="DipPurifyModel"/>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(DipPurifyModel.UseInsteadMessage);

    /// <summary>Releases the victim's ONNX Runtime session.</summary>
    public void Dispose() => Victim.Dispose();

    internal DipPurifyBinding Bind(DataViewSchema inputSchema, string paramName) => DipPurifyBinding.Bind(inputSchema, options, Victim, paramName);

    /// <summary>
    /// Purifies consecutive rows, the first at position <paramref name="firstRow"/> of the data view: one core
    /// purifier call with DIP seed <c>Seed + firstRow</c>, so row r uses <c>Seed + r</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The images differ in size.</exception>
    /// <exception cref="OperationCanceledException">The ML.NET environment was cancelled.</exception>
    internal PurifiedBlock Purify(RowImage[] images, long firstRow, DipPurifyBinding binding)
    {
        int height = images[0].Height, width = images[0].Width, channels = binding.Image.Channels;
        for (int i = 1; i < images.Length; i++)
            if (images[i].Height != height || images[i].Width != width)
                throw new InvalidOperationException(
                    $"DipPurify purifies rows in blocks and needs images of one size in column '{binding.Image.Column.Name}': row {firstRow + i} is " +
                    $"{images[i].Width}×{images[i].Height} (W×H), row {firstRow} is {width}×{height}. Add ResizeImages before DipPurify.");

        var seeded = purifier.WithSeed(unchecked(options.Seed + firstRow));
        int size = channels * height * width;
        var pixels = new float[images.Length * size];
        for (int i = 0; i < images.Length; i++)
            images[i].Pixels.CopyTo(pixels, i * size);

        using var scope = NewDisposeScope();
        using var watch = cancellation.Start();
        var batch = torch.tensor(pixels, [images.Length, channels, height, width]).to(device);
        using var result = seeded.Purify(batch, progress: null, watch.Token);
        var purified = result.Purified.cpu().data<float>().ToArray();
        var dip = result as PurificationResult;
        return new PurifiedBlock(
            images,
            [.. Enumerable.Range(0, images.Length).Select(i => purified.AsSpan(i * size, size).ToArray())],
            dip?.FinalLabels ?? Labels(result.Purified, binding),
            dip is null ? new bool[images.Length] : [.. dip.Diagnostics.Select(d => !d.FallbackUsed)]);
    }

    /// <summary>The victim's labels of a baseline's purified images, when the label column is asked for.</summary>
    long[] Labels(Tensor purified, DipPurifyBinding binding)
    {
        if (binding.Label is null)
            return new long[purified.shape[0]];
        using var labels = Victim.Predict(purified);
        return labels.cpu().data<long>().ToArray();
    }

    static Device ResolveDevice(string name)
    {
        string normalized = name.Trim().ToLowerInvariant();
        if (normalized.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
            throw new ArgumentException(
                $"{nameof(DipPurifyOptions)}.{nameof(DipPurifyOptions.Device)} is '{name}' but CUDA is not available here (reference a TorchSharp-cuda-* native bundle and run on a machine with an NVIDIA GPU).",
                nameof(DipPurifyOptions.Device));
        try
        {
            return torch.device(normalized);
        }
        catch (Exception ex)
        {
            throw new ArgumentException($"{nameof(DipPurifyOptions)}.{nameof(DipPurifyOptions.Device)} must be cpu, cuda or cuda:N; got '{name}'.", nameof(DipPurifyOptions.Device), ex);
        }
    }
}
