using static TorchSharp.torch;

namespace DipDefense.Visualization;

/// <summary>One cell of an <see cref="ImageGrid"/>: an image and an optional caption drawn under it.</summary>
/// <param name="Image">float32 <c>[C, H, W]</c> with C = 1 (grey) or 3 (RGB), values in [0, 1], on any device. Not disposed by the grid.</param>
/// <param name="Caption">Text under the image (for example the predicted class); null for none.</param>
public sealed record ImageGridCell(Tensor Image, string? Caption = null);
