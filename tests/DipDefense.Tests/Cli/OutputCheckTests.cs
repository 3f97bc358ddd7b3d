using DipDefense.Data;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Cli;

/// <summary>
/// Outputs are checked before any work (issue 12, item 5): a path that cannot be written, or an empty selection, is a
/// one-line error with exit code 2. Where a missing model is given as well, the error naming the output shows that the
/// check came before the model was even loaded.
/// </summary>
public sealed class OutputCheckTests : IDisposable
{
    readonly TempDir _temp = new();

    public void Dispose()
    {
        foreach (var folder in Directory.GetDirectories(_temp.Path))
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _temp.Dispose();
    }

    string Dir => _temp.Path;

    string MissingModel => Path.Combine(Dir, "missing.onnx");

    /// <summary>Four CIFAR-10-shaped images, so that the format of --data can be detected without ../shared.</summary>
    string TinyData()
    {
        string path = Path.Combine(Dir, "tiny.bin");
        using var generator = new Generator(3, CPU);
        using var data = new ImageDataset(rand([4, 3, 32, 32], generator: generator), tensor(new long[] { 0, 1, 2, 3 }), KnownClassNames.Cifar10);
        Cifar10BinaryFormat.Write(data, path);
        return path;
    }

    /// <summary>A folder this process cannot write in: a read-only temporary folder, or /sys where permissions do not stop the user (root).</summary>
    string UnwritableFolder()
    {
        string folder = Directory.CreateDirectory(Path.Combine(Dir, "read-only")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(folder, "probe"), "");
        }
        catch (UnauthorizedAccessException)
        {
            return folder;
        }
        File.Delete(Path.Combine(folder, "probe"));
        return "/sys";
    }

    [Fact]
    public void AttackToAFolderIsRefusedBeforeTheModelIsLoaded()
    {
        var r = CliRunner.Run("attack", "--model", MissingModel, "--data", TinyData(), "--attack", "fgsm", "--out", Dir);
        CliAssert.OneLineError(r, "--out", "is a folder");
    }

    [Fact]
    public void PurifyIntoAMissingFolderIsRefusedBeforeTheModelIsLoaded()
    {
        string output = Path.Combine(Dir, "no-such-folder", "purified.bin");
        var r = CliRunner.Run("purify", "--model", MissingModel, "--data", TinyData(), "--out", output);
        CliAssert.OneLineError(r, "--out", "no-such-folder", "does not exist");
        Assert.False(Directory.Exists(Path.GetDirectoryName(output)));
    }

    [Fact]
    public void AttackIntoAFolderWithoutPermissionIsRefusedBeforeTheModelIsLoaded()
    {
        string folder = UnwritableFolder();
        var r = CliRunner.Run("attack", "--model", MissingModel, "--data", TinyData(), "--attack", "fgsm", "--out", Path.Combine(folder, "adv.bin"));
        CliAssert.OneLineError(r, "--out", "cannot write");
    }

    [Fact]
    public void AttackOnAnImageFolderIntoAFolderThatHoldsFilesIsRefusedBeforeTheModelIsLoaded()
    {
        string data = Path.Combine(Dir, "images");
        using (var generator = new Generator(4, CPU))
        using (var set = new ImageDataset(rand([2, 3, 32, 32], generator: generator), tensor(new long[] { 0, 1 }), ["a", "b"]))
            ImageFolderFormat.Write(set, data);
        string output = Directory.CreateDirectory(Path.Combine(Dir, "adversarial")).FullName;
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");

        var r = CliRunner.Run("attack", "--model", MissingModel, "--data", data, "--attack", "fgsm", "--out", output);
        CliAssert.OneLineError(r, "--out", "is not empty");
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Fact]
    public void TrainVictimToAFolderIsRefusedBeforeTheDataIsRead()
    {
        var r = CliRunner.Run("train-victim", "--data", Path.Combine(Dir, "missing-images-idx3-ubyte"), "--out", Dir);
        CliAssert.OneLineError(r, "--out", "is a folder");
    }

    [Fact]
    public void CalibrateWithATraceCacheThatIsAFileIsRefusedBeforeTheModelIsLoaded()
    {
        string data = TinyData();
        var r = CliRunner.Run("calibrate", "--model", MissingModel, "--data", data, "--trace-cache", data);
        CliAssert.OneLineError(r, "--trace-cache", "is a file");
    }

    [Fact]
    public void CalibrateWithAPlotFolderThatIsAFileIsRefusedBeforeTheModelIsLoaded()
    {
        string data = TinyData();
        var r = CliRunner.Run("calibrate", "--model", MissingModel, "--data", data, "--plot", data);
        CliAssert.OneLineError(r, "--plot", "is a file");
    }

    [Fact]
    public void EvaluateIntoAStoreThatIsAFolderIsRefusedBeforeTheModelIsLoaded()
    {
        var r = CliRunner.Run("evaluate", "--model", MissingModel, "--data", TinyData(), "--store", Dir);
        CliAssert.OneLineError(r, "--store", "is a folder");
    }

    [Fact]
    public void MergeIntoAMissingFolderIsRefusedBeforeTheStoresAreRead()
    {
        var r = CliRunner.Run("merge", Path.Combine(Dir, "missing-a.db"), "--out", Path.Combine(Dir, "no-such-folder", "all.db"));
        CliAssert.OneLineError(r, "--out", "does not exist");
    }

    [Fact]
    public void ReportIntoAFileIsRefusedBeforeTheStoreIsRead()
    {
        string file = TinyData();
        var r = CliRunner.Run("report", "--store", Path.Combine(Dir, "missing.db"), "--out", file);
        CliAssert.OneLineError(r, "--out", "is a file");
    }

    [Fact]
    public void EvaluateWithAnEmptySelectionIsRefusedAndCreatesNoStore()
    {
        string store = Path.Combine(Dir, "results.db");
        var r = CliRunner.Run("evaluate", "--model", MissingModel, "--data", TinyData(), "--count", "0", "--store", store);
        CliAssert.OneLineError(r, "--count must be positive");
        Assert.False(File.Exists(store));
    }

    [Theory]
    [InlineData("--count", "0", "--count must be positive")]
    [InlineData("--offset", "4", "--offset 4 is beyond the last image")]
    public void ClassifyWithAnEmptySelectionIsRefused(string option, string value, string message)
    {
        var r = CliRunner.Run("classify", "--model", MissingModel, "--data", TinyData(), option, value);
        CliAssert.OneLineError(r, message);
    }

    [Fact]
    public void PurifyWithAnEmptySelectionIsRefusedAndWritesNothing()
    {
        string output = Path.Combine(Dir, "purified.bin");
        var r = CliRunner.Run("purify", "--model", MissingModel, "--data", TinyData(), "--count", "0", "--out", output);
        CliAssert.OneLineError(r, "--count must be positive");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void CalibrateWithAnOffsetPastTheEndIsRefused()
    {
        var r = CliRunner.Run("calibrate", "--model", MissingModel, "--data", TinyData(), "--offset", "9");
        CliAssert.OneLineError(r, "--offset 9 is beyond the last image");
    }
}
