// Writes the shipped sample images: the first N test images of every class, as an image folder that
// DatasetReader/ImageFolderFormat reads (classes.txt + one subfolder per class), each PNG named
// <test-set index>-<class>.png, and prints their provenance as a Markdown table.
//
// Usage (from the repository root):
//   dotnet run tools/export-sample-images.cs -- <t10k-images-idx3-ubyte.gz> [OUT=samples/assets/images] [PER_CLASS=2]
#:project ../src/DipDefense/DipDefense.csproj
#:package TorchSharp-cpu
#:package SkiaSharp.NativeAssets.Linux.NoDependencies
using System.Globalization;
using System.Text;
using DipDefense.Data;

if (args.Length is < 1 or > 3)
{
    Console.Error.WriteLine("usage: dotnet run tools/export-sample-images.cs -- <test images idx(.gz)> [out folder] [images per class]");
    return 2;
}
string output = args.Length > 1 ? args[1] : "samples/assets/images";
int perClass = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
{
    Console.Error.WriteLine($"'{output}' is not empty; give an empty or new folder.");
    return 2;
}

using var test = DatasetReader.Read(args[0]);
var labels = test.Labels.data<long>().ToArray();
// The first perClass images of every class, in test-set order: a deterministic choice.
var chosen = Enumerable.Range(0, test.ClassNames.Count)
    .SelectMany(k => Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).Take(perClass))
    .ToArray();

Directory.CreateDirectory(output);
File.WriteAllLines(Path.Combine(output, ImageFolderFormat.ClassNamesFileName), test.ClassNames);
Console.WriteLine("| test-set index | label | class | file |");
Console.WriteLine("|---|---|---|---|");
foreach (int i in chosen)
{
    string name = test.ClassNames[(int)labels[i]];
    string file = Path.Combine(FolderName(name), $"{i:D5}-{Slug(name)}.png");
    using var image = test.Images[i];
    PngImage.Save(image, Path.Combine(output, file));
    Console.WriteLine($"| {i} | {labels[i]} | {name} | `{file.Replace('\\', '/')}` |");
}
return 0;

// The folder ImageFolderFormat expects for a class: characters not allowed in folder names become '_'.
static string FolderName(string className)
{
    var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\']).ToHashSet();
    return new string(className.Trim().Select(ch => invalid.Contains(ch) ? '_' : ch).ToArray());
}

// A file-name form of a class name: lower case, runs of other characters as one '-'.
static string Slug(string className)
{
    var slug = new StringBuilder();
    foreach (char ch in className.ToLowerInvariant())
        if (char.IsAsciiLetterOrDigit(ch)) slug.Append(ch);
        else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
    return slug.ToString().TrimEnd('-');
}
