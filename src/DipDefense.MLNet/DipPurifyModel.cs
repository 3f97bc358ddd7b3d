using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.MLNet;

/// <summary>
/// Saves and loads whole ML.NET pipelines that contain <see cref="DipPurifyingTransformer"/>s, in one file.
/// </summary>
/// <remarks>
/// <para>
/// <c>mlContext.Model.Save</c> cannot store DipPurify: ML.NET 5 keeps everything an external component would need to
/// write its state, or to be found again by <c>mlContext.Model.Load</c>, internal (dotnet/machinelearning#4911, #6839).
/// So this class cuts the pipeline at each DipPurify: the ML.NET parts in between are saved by
/// <c>mlContext.Model.Save</c> itself, each as an ML.NET model file inside ours, and each DipPurify as its options
/// (JSON) and the victim's ONNX bytes. The file is a zip:
/// </para>
/// <code>
/// manifest.json              {"Format": "DipDefense.MLNet.Pipeline", "Version": 1, "Stages": [...]}
/// stage-0.mlnet.zip          the ML.NET transformers before the first DipPurify (possibly none), with the input schema
/// stage-1.options.json       DipPurify: every DipPurifyOptions field
/// stage-1.victim.onnx        DipPurify: the victim model, so the file is self-contained
/// stage-2.mlnet.zip          the ML.NET transformers after it (e.g. ApplyOnnxModel), and so on
/// </code>
/// <para>
/// Nested <see cref="TransformerChain{TLastTransformer}"/>s are flattened, and <see cref="Load(MLContext, Stream, out DataViewSchema)"/>
/// returns one chain of all transformers in order (their <c>TransformerScope</c>s become <c>Everything</c>). The same seed
/// gives the same output after loading. <b>Security:</b> the file holds an ONNX model: only load files from trusted sources.
/// </para>
/// </remarks>
public static class DipPurifyModel
{
    /// <summary>What to call instead of <c>mlContext.Model.Save</c> (the message of <see cref="DipPurifyingTransformer"/>'s Save).</summary>
    internal const string UseInsteadMessage =
        "mlContext.Model.Save cannot store a DipPurifyingTransformer: ML.NET 5 lets no external component write its state into an ML.NET model file. " +
        "Save the whole pipeline with DipDefense.MLNet.DipPurifyModel.Save(mlContext, model, inputSchema, path) and load it with DipPurifyModel.Load(mlContext, path, out inputSchema).";

    const string FormatName = "DipDefense.MLNet.Pipeline";

    // Format versions (bump on any change a version-1 reader could not read):
    // 1: manifest.json, ML.NET segments as nested ML.NET model files, DipPurify stages as options JSON + victim ONNX.
    const int FormatVersion = 1;

    const string ManifestEntry = "manifest.json";
    const string MLNetStage = "mlnet";
    const string DipPurifyStage = "dippurify";

    static readonly JsonSerializerOptions Json = new() { IncludeFields = true, WriteIndented = true };

    /// <summary>Saves <paramref name="model"/> (a DipPurify transformer, or a chain containing any number of them) to a file.</summary>
    /// <param name="mlContext">The context (saves the ML.NET parts).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline is applied to (as for <c>mlContext.Model.Save</c>).</param>
    /// <param name="filePath">The file to write (replaced if it exists).</param>
    /// <exception cref="InvalidOperationException">An ML.NET transformer of the pipeline cannot be saved (ML.NET's message is kept as the inner exception).</exception>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        using var buffer = new MemoryStream();
        Save(mlContext, model, inputSchema, buffer);
        DipDefense.Data.AtomicFile.WriteAllBytes(filePath, buffer.ToArray());
    }

    /// <summary>Saves <paramref name="model"/> (a DipPurify transformer, or a chain containing any number of them) to a stream.</summary>
    /// <param name="mlContext">The context (saves the ML.NET parts).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline is applied to.</param>
    /// <param name="stream">Where to write the file; left open.</param>
    /// <exception cref="InvalidOperationException">An ML.NET transformer of the pipeline cannot be saved.</exception>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);

        var stages = new List<PipelineStage>();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var segment = new List<ITransformer>();
        void WriteSegment()
        {
            string entry = $"stage-{stages.Count}.mlnet.zip";
            using (var output = zip.CreateEntry(entry).Open())
                SaveSegment(mlContext, segment, stages.Count == 0 ? inputSchema : null, output);
            stages.Add(new PipelineStage(MLNetStage, entry));
            segment.Clear();
        }

        foreach (var transformer in Flatten(model))
        {
            if (transformer is not DipPurifyingTransformer purify)
            {
                segment.Add(transformer);
                continue;
            }
            if (segment.Count > 0 || stages.Count == 0)
                WriteSegment();
            string options = $"stage-{stages.Count}.options.json", victim = $"stage-{stages.Count}.victim.onnx";
            WriteEntry(zip, options, JsonSerializer.SerializeToUtf8Bytes(purify.Options, Json));
            WriteEntry(zip, victim, purify.Victim.ModelBytes.Span);
            stages.Add(new PipelineStage(DipPurifyStage, options, victim));
        }
        if (segment.Count > 0 || stages.Count == 0)
            WriteSegment();
        WriteEntry(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(new PipelineManifest(FormatName, FormatVersion, stages), Json));
    }

    /// <summary>Loads a pipeline saved by <see cref="Save(MLContext, ITransformer, DataViewSchema, string)"/>. Only load files from trusted sources.</summary>
    /// <param name="mlContext">The context the loaded transformers belong to (its cancellation stops their purifiers).</param>
    /// <param name="filePath">The file.</param>
    /// <param name="inputSchema">The input schema saved with the pipeline.</param>
    /// <returns>One chain of all transformers, in order; the caller disposes it (it owns the victims' sessions).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a DipDefense pipeline, is of a newer format version, or is damaged.</exception>
    public static ITransformer Load(MLContext mlContext, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath))
            throw new FileNotFoundException($"Pipeline file '{filePath}' not found.", filePath);
        using var stream = File.OpenRead(filePath);
        return Load(mlContext, stream, out inputSchema, filePath);
    }

    /// <summary>Loads a pipeline saved by <see cref="Save(MLContext, ITransformer, DataViewSchema, Stream)"/>. Only load files from trusted sources.</summary>
    /// <param name="mlContext">The context the loaded transformers belong to.</param>
    /// <param name="stream">The file's bytes; left open.</param>
    /// <param name="inputSchema">The input schema saved with the pipeline.</param>
    /// <returns>One chain of all transformers, in order; the caller disposes it.</returns>
    /// <exception cref="InvalidDataException">The stream is not a DipDefense pipeline, is of a newer format version, or is damaged.</exception>
    public static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema) =>
        Load(mlContext, stream, out inputSchema, "<stream>");

    static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema, string source)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(stream);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{source}' is not a DipDefense pipeline file: it is not a zip archive.", ex);
        }
        using (zip)
        {
            var manifest = ReadManifest(zip, source);
            var transformers = new List<ITransformer>();
            DataViewSchema? schema = null;
            try
            {
                foreach (var stage in manifest.Stages)
                {
                    if (stage.Kind == MLNetStage)
                    {
                        var segment = mlContext.Model.Load(new MemoryStream(ReadEntry(zip, stage.Entry, source)), out var segmentSchema);
                        schema ??= segmentSchema;
                        transformers.AddRange(Flatten(segment));
                    }
                    else if (stage.Kind == DipPurifyStage && stage.Victim is { } victim)
                    {
                        byte[] optionsJson = ReadEntry(zip, stage.Entry, source);
                        var options = Deserialize<DipPurifyOptions>(optionsJson, stage.Entry, source);
                        ApplySettingsMissingFrom(optionsJson, options);
                        transformers.Add(new DipPurifyingTransformer(mlContext, options, ReadEntry(zip, victim, source)));
                    }
                    else
                        throw new InvalidDataException($"'{source}' has a stage of unknown kind '{stage.Kind}' (entry '{stage.Entry}').");
                }
                if (schema is null || manifest.Stages.Count == 0 || manifest.Stages[0].Kind != MLNetStage)
                    throw new InvalidDataException($"'{source}' does not start with an ML.NET stage holding the input schema.");
            }
            catch
            {
                foreach (var transformer in transformers)
                    (transformer as IDisposable)?.Dispose();
                throw;
            }
            inputSchema = schema;
            return new TransformerChain<ITransformer>([.. transformers]);
        }
    }

    /// <summary>The transformers of <paramref name="model"/> in order, nested chains opened.</summary>
    static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    static void SaveSegment(MLContext mlContext, List<ITransformer> segment, DataViewSchema? inputSchema, Stream output)
    {
        try
        {
            mlContext.Model.Save(new TransformerChain<ITransformer>([.. segment]), inputSchema, output);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"ML.NET could not save the transformers {string.Join(", ", segment.Select(t => t.GetType().Name))}: {ex.Message}", ex);
        }
    }

    static PipelineManifest ReadManifest(ZipArchive zip, string source)
    {
        if (zip.GetEntry(ManifestEntry) is null)
            throw new InvalidDataException(
                $"'{source}' is not a DipDefense pipeline file: it has no {ManifestEntry} (a file written by mlContext.Model.Save loads with mlContext.Model.Load).");
        var manifest = Deserialize<PipelineManifest>(ReadEntry(zip, ManifestEntry, source), ManifestEntry, source);
        if (manifest.Format != FormatName)
            throw new InvalidDataException($"'{source}' is not a DipDefense pipeline file: its format is '{manifest.Format}', expected '{FormatName}'.");
        if (manifest.Version < 1 || manifest.Version > FormatVersion)
            throw new InvalidDataException(
                $"'{source}' has format version {manifest.Version}; this DipDefense.MLNet reads versions 1 to {FormatVersion} (update DipDefense.MLNet to load it).");
        if (manifest.Stages is null)
            throw new InvalidDataException($"'{source}' has a {ManifestEntry} without stages.");
        return manifest;
    }

    /// <summary>
    /// Settings added after the first file format, each with the value that turns it off: a file saved before a setting
    /// existed ran without it, so loading it must not give it the current default.
    /// </summary>
    static readonly (string Field, Action<DipPurifyOptions> TurnOff)[] SettingsAddedLater =
    [
        (nameof(DipPurifyOptions.Horizon), o => o.Horizon = 1),
        (nameof(DipPurifyOptions.PoorFit), o => o.PoorFit = DipDefense.Defense.PurifierOptions.PoorFitOff),
        (nameof(DipPurifyOptions.LateChangeFit), o => o.LateChangeFit = DipDefense.Defense.PurifierOptions.LateChangeFitOff),
        (nameof(DipPurifyOptions.AmbiguousMargin), o => o.AmbiguousMargin = DipDefense.Defense.PurifierOptions.AmbiguousMarginOff),
        (nameof(DipPurifyOptions.AmbiguousFit), o => o.AmbiguousFit = DipDefense.Defense.PurifierOptions.AmbiguousFitOff),
        (nameof(DipPurifyOptions.Seeds), o => o.Seeds = 1),
        (nameof(DipPurifyOptions.MarkQuorum), o => o.MarkQuorum = DipDefense.Defense.PurifierOptions.MarkQuorumAll),
        (nameof(DipPurifyOptions.SettledFit), o => o.SettledFit = DipDefense.Defense.PurifierOptions.SettledFitOff),
        (nameof(DipPurifyOptions.MarkedHorizon), o => o.MarkedHorizon = 1),
    ];

    static void ApplySettingsMissingFrom(byte[] optionsJson, DipPurifyOptions options)
    {
        using var document = JsonDocument.Parse(optionsJson);
        var root = document.RootElement;
        foreach (var (field, turnOff) in SettingsAddedLater)
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(field, out _))
                turnOff(options);
    }

    static T Deserialize<T>(byte[] bytes, string entry, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new InvalidDataException($"'{source}': entry '{entry}' is empty (null).");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{source}': entry '{entry}' is not valid: {ex.Message}", ex);
        }
    }

    static byte[] ReadEntry(ZipArchive zip, string name, string source)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{source}' lacks the entry '{name}' its {ManifestEntry} names.");
        using var input = entry.Open();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    static void WriteEntry(ZipArchive zip, string name, ReadOnlySpan<byte> bytes)
    {
        using var output = zip.CreateEntry(name).Open();
        output.Write(bytes);
    }

    /// <summary>The manifest of a pipeline file.</summary>
    sealed record PipelineManifest(string Format, int Version, List<PipelineStage> Stages);

    /// <summary>One stage: an ML.NET model file entry, or a DipPurify's options entry and victim entry.</summary>
    sealed record PipelineStage(string Kind, string Entry, string? Victim = null);
}
