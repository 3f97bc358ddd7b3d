namespace DipDefense.Data;

/// <summary>
/// The image files of an image folder with their labels (<see cref="ImageFolderFormat.ListFiles"/>), in the order in
/// which <see cref="ImageFolderFormat.Read"/> returns the images: by label, then by file name. This is what an ML.NET
/// pipeline that starts with <c>LoadImages</c> needs: a path and a label per row.
/// </summary>
/// <param name="ClassNames">Class names in label order.</param>
/// <param name="Files">The full path of every image file.</param>
/// <param name="Labels">The label of every file, in [0, <paramref name="ClassNames"/>.Count).</param>
public sealed record ImageFolderListing(IReadOnlyList<string> ClassNames, IReadOnlyList<string> Files, IReadOnlyList<long> Labels);
