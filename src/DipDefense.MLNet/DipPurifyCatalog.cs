using DipDefense.MLNet;

namespace Microsoft.ML;

/// <summary>
/// The <c>DipPurify</c> and <c>Purify</c> extensions of <see cref="TransformsCatalog"/>: the decision-space DIP defense,
/// or any defense of the library, in an ML.NET pipeline.
/// </summary>
public static class DipPurifyCatalog
{
    /// <summary>
    /// Purifies an image column with the decision-space Deep Image Prior defense (Ding, Wang et al., ACM MM 2021)
    /// before the images reach <paramref name="modelFile"/>, the classifier it protects. The other settings are the
    /// defaults of <see cref="DipPurifyOptions"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column of purified images, of the input column's type.</param>
    /// <param name="modelFile">The ONNX victim: input [N, C, H, W] in [0, 1] after its preprocessing, output logits [N, K]. Only load models from trusted sources.</param>
    /// <param name="inputColumnName">The column of images: an <c>MLImage</c> column, or a known-size float vector laid out as
    /// <c>ExtractPixels</c> writes it with its default scale 1 and offset 0 (use the options overload for others). Null: <paramref name="outputColumnName"/>.</param>
    /// <param name="iterations">DIP iterations T; null: 1000.</param>
    /// <param name="snapshots">Snapshots M; null: 200.</param>
    /// <param name="seed">Base DIP seed: row r uses <c>seed + r</c>. Default 0.</param>
    /// <param name="batchSize">Rows purified together (speed only); null: 16.</param>
    /// <returns>The estimator; its victim is loaded now.</returns>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.LoadImages("image", folder, "path")
    ///     .Append(mlContext.Transforms.ResizeImages("image", 32, 32))
    ///     .Append(mlContext.Transforms.ExtractPixels("pixels", "image", scaleImage: 1f / 255))
    ///     .Append(mlContext.Transforms.DipPurify(new DipPurifyOptions { OutputColumnName = "pixels", ModelPath = "victim.onnx", ScaleImage = 1f / 255 }))
    ///     .Append(mlContext.Transforms.ApplyOnnxModel("logits", "pixels", "victim.onnx"));
    /// </code>
    /// </example>
    public static DipPurifyingEstimator DipPurify(this TransformsCatalog catalog, string outputColumnName, string modelFile,
        string? inputColumnName = null, int? iterations = null, int? snapshots = null, long seed = 0, int? batchSize = null)
    {
        var options = new DipPurifyOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelFile,
            Seed = seed,
        };
        options.Iterations = iterations ?? options.Iterations;
        options.Snapshots = snapshots ?? options.Snapshots;
        options.BatchSize = batchSize ?? options.BatchSize;
        return DipPurify(catalog, options);
    }

    /// <summary>Purifies an image column with the decision-space Deep Image Prior defense, with every setting given.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The columns, the victim and the purifier settings (copied).</param>
    /// <returns>The estimator; its victim is loaded now.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The victim model does not exist.</exception>
    /// <exception cref="InvalidDataException">The victim model is not an ONNX image classifier.</exception>
    public static DipPurifyingEstimator DipPurify(this TransformsCatalog catalog, DipPurifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new DipPurifyingEstimator(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Purifies an image column with any defense of the library (docs/defenses.md): the decision-space DIP purifier or
    /// a baseline to compare it with ("dipdefend", "jpeg", "bit-depth", "median", "none"), at its defaults. The same
    /// estimator as <c>DipPurify</c> with <see cref="DipPurifyOptions.Defense"/> set; the options overload sets the
    /// baselines' own settings (<see cref="DipPurifyOptions.JpegQuality"/>, <see cref="DipPurifyOptions.Bits"/>, …).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column of purified images, of the input column's type.</param>
    /// <param name="inputColumnName">The column of images (as for <c>DipPurify</c>); null: <paramref name="outputColumnName"/>.</param>
    /// <param name="modelFile">The ONNX victim the images go to (the DIP purifier queries it; every defense checks the images fit it).</param>
    /// <param name="defense">One of <see cref="DipDefense.Defense.DefenseChoice.Names"/>.</param>
    /// <returns>The estimator; its victim is loaded now.</returns>
    /// <exception cref="ArgumentException"><paramref name="defense"/> is not a defense of the library.</exception>
    public static DipPurifyingEstimator Purify(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName,
        string modelFile, string defense) =>
        DipPurify(catalog, new DipPurifyOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelFile,
            Defense = defense,
        });
}
