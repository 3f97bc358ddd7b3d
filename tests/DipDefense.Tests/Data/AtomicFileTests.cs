using DipDefense.Data;

namespace DipDefense.Tests.Data;

public sealed class AtomicFileTests : IDisposable
{
    readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void WritesTheContentAndLeavesNoTemporaryFile()
    {
        string path = _folder.File("a.txt");
        AtomicFile.WriteAllText(path, "hello");
        Assert.Equal("hello", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void AFailedWriteKeepsThePreviousContentAndLeavesNoTemporaryFile()
    {
        string path = _folder.File("a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9]);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void AFailedFirstWriteLeavesNoFile()
    {
        string path = _folder.File("new.bin");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("interrupted")));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void AMissingFolderIsAnError()
    {
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllBytes(_folder.File("missing", "a.bin"), [1]));
    }

    [Fact]
    public void DatasetWritersLeaveOnlyTheirFiles()
    {
        using var generator = new Generator(5, CPU);
        using var data = new ImageDataset(rand([2, 3, 32, 32], generator: generator), tensor(new long[] { 1, 2 }), KnownClassNames.Cifar10);
        string path = _folder.File("set.bin");
        DatasetWriter.Write(data, path, DatasetFormat.Cifar10Binary);
        Assert.Equal(["batches.meta.txt", "set.bin"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var back = DatasetReader.Read(path);
        Assert.Equal(2, back.Count);
    }
}
