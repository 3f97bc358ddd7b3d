namespace DipDefense.Tests.Infrastructure;

/// <summary>
/// Locates the data and models in <c>../shared</c> beside the repository root (or the folder named by
/// the DIPDEFENSE_SHARED environment variable). Tests that need them use <see cref="SharedDataFactAttribute"/>.
/// </summary>
public static class SharedData
{
    /// <summary>The repository root (the folder holding DipDefense.MLNet.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared folder, whether or not it exists.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("DIPDEFENSE_SHARED") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    /// <summary>The 500 CIFAR-10 test images.</summary>
    public static string Cifar10Batch => Path.Combine(Root, "data", "cifar10", "test_batch_first500.bin");

    /// <summary>The ResNet-20 CIFAR-10 victim.</summary>
    public static string ResNet20 => Path.Combine(Root, "models", "cifar10-resnet20.onnx");

    /// <summary>Whether the shared data and model are present.</summary>
    public static bool Available => File.Exists(Cifar10Batch) && File.Exists(ResNet20);

    /// <summary>The reason tests are skipped when <see cref="Available"/> is false.</summary>
    public static string SkipReason => $"shared data absent: expected {Cifar10Batch} and {ResNet20} (../shared beside the repository, or DIPDEFENSE_SHARED)";

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DipDefense.MLNet.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"DipDefense.MLNet.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that is skipped, with the reason, when <c>../shared</c> is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared data is missing.</summary>
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available)
            Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that needs <c>../shared</c>: skipped with the reason when it is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared data is missing.</summary>
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available)
            Skip = SharedData.SkipReason;
    }
}
