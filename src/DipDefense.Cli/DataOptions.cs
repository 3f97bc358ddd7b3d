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

    /// <summary>Reads the data set and keeps images [offset, offset + count).</summary>
    public ImageDataset Load(ParseResult result)
    {
        using var all = DatasetReader.Read(result.GetValue(Data)!);
        return all.Slice(result.GetValue(Offset), result.GetValue(Count));
    }
}
