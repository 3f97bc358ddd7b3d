/// <summary>Where a sample finds the repository's shipped assets and the shared data beside the repository.</summary>
static class SampleFolders
{
    /// <summary>The repository root: the folder above the running sample that holds DipDefense.MLNet.sln, else the current folder.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>samples/assets: the shipped Fashion-MNIST victim and test images (samples/assets/README.md).</summary>
    public static string Assets => Path.Combine(RepositoryRoot, "samples", "assets");

    /// <summary>The shipped victim, samples/assets/fashion-mnist-cnn.onnx.</summary>
    public static string ShippedVictim => Path.Combine(Assets, "fashion-mnist-cnn.onnx");

    /// <summary>The shipped test images, samples/assets/images (an image folder with classes.txt).</summary>
    public static string ShippedImages => Path.Combine(Assets, "images");

    /// <summary>DIPDEFENSE_SHARED when set, else ../shared beside the repository.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("DIPDEFENSE_SHARED") is { Length: > 0 } shared
            ? Path.GetFullPath(shared)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    /// <summary>The shared CIFAR-10 test slice (500 images, binary format).</summary>
    public static string SharedCifar10 => Path.Combine(Shared, "data", "cifar10", "test_batch_first500.bin");

    /// <summary>The shared ResNet-20 CIFAR-10 victim.</summary>
    public static string SharedResNet20 => Path.Combine(Shared, "models", "cifar10-resnet20.onnx");

    /// <summary>The sample's default output folder: samples/&lt;name&gt;/out (git ignores it).</summary>
    public static string DefaultOutput(string sampleName) => Path.Combine(RepositoryRoot, "samples", sampleName, "out");

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DipDefense.MLNet.sln")))
                return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
