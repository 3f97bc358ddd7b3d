using System.CommandLine;
using DipDefense.Data;

namespace DipDefense.Cli;

/// <summary>The command-line options that select a labelled image set and a range of it.</summary>
internal sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "CIFAR-10 .bin file or folder, idx(.gz) images file, or image folder (one subfolder per class).", Required = true };
    public Option<int> Offset { get; } = new("--offset") { Description = "Index of the first image to use.", DefaultValueFactory = _ => 0 };
    public Option<int?> Count { get; } = new("--count") { Description = "Number of images to use (default: all after --offset)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Offset);
        command.Options.Add(Count);
    }

    /// <summary>
    /// The format of --data, and <paramref name="output"/> checked as a place to write a data set in that format, before
    /// any work starts: a file, or for an image folder a new or empty folder (one that holds files could not take the
    /// class folders without mixing two sets).
    /// </summary>
    public (string Path, DatasetFormat Format) CheckOutput(ParseResult result, Option<string> output)
    {
        var format = DatasetReader.DetectFormat(result.GetValue(Data)!);
        string path = result.GetValue(output)!;
        string name = output.Name;
        if (format != DatasetFormat.ImageFolder)
            return (OutputPath.File(path, name), format);
        string folder = OutputPath.Folder(path, name);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new ArgumentException($"{name} '{path}' is not empty; an image folder is written to a new or empty folder.");
        return (folder, format);
    }

    /// <summary>Reads the data set and keeps images [offset, offset + count), which must not be empty.</summary>
    public ImageDataset Load(ParseResult result)
    {
        string path = result.GetValue(Data)!;
        using var all = DatasetReader.Read(path);
        return Select(all, result.GetValue(Offset), result.GetValue(Count), path);
    }

    /// <summary>
    /// Images [offset, offset + count) of <paramref name="all"/> (count: all after the offset), checked: an empty or
    /// out-of-range selection is an error that names --offset, --count and the size of <paramref name="path"/>.
    /// </summary>
    public static ImageDataset Select(ImageDataset all, int offset, int? count, string path)
    {
        if (offset < 0)
            throw new ArgumentException($"--offset must not be negative; got {offset}.");
        if (count < 1)
            throw new ArgumentException($"--count must be positive; got {count}, which selects no image.");
        if (offset >= all.Count)
            throw new ArgumentException($"--offset {offset} is beyond the last image of '{path}' ({all.Count} images, indices 0 to {all.Count - 1}), which selects no image.");
        if (count is { } n && offset + n > all.Count)
            throw new ArgumentException($"--offset {offset} --count {n} runs past the end of '{path}' ({all.Count} images).");
        return all.Slice(offset, count);
    }
}
