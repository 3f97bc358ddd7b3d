using System.Globalization;

/// <summary>
/// The sample's command line: where the images and the victim are, how many images, and how long the DIP trace is.
/// Defaults are the paper's setting on the shared CIFAR-10 slice in ../shared beside the repository.
/// </summary>
sealed record SampleArguments(string DataPath, string ModelPath, bool UsesSharedDefaults, int Count, int Iterations)
{
    /// <summary>The usage line printed for bad arguments.</summary>
    public const string Usage =
        "usage: dotnet run -- [--data <CIFAR-10 .bin>] [--model <CIFAR-10 classifier .onnx>] [--count 8] [--iterations 1000]";

    /// <summary>Reads the arguments; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static SampleArguments Parse(string[] args)
    {
        string? data = null, model = null;
        int count = 8, iterations = 1000;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Value(); break;
                case "--model": model = Value(); break;
                case "--count": count = Positive("--count", Value()); break;
                case "--iterations": iterations = Positive("--iterations", Value()); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'.");
            }
        }
        string shared = SharedFolder();
        return new SampleArguments(
            data ?? Path.Combine(shared, "data", "cifar10", "test_batch_first500.bin"),
            model ?? Path.Combine(shared, "models", "cifar10-resnet20.onnx"),
            data is null && model is null, count, iterations);
    }

    static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive integer; got '{text}'.");

    /// <summary>DIPDEFENSE_SHARED, else ../shared beside the repository that holds this sample (else beside the current folder).</summary>
    static string SharedFolder()
    {
        if (Environment.GetEnvironmentVariable("DIPDEFENSE_SHARED") is { Length: > 0 } shared)
            return Path.GetFullPath(shared);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir?.Parent != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DipDefense.MLNet.sln")))
                return Path.Combine(dir.Parent.FullName, "shared");
        return Path.GetFullPath(Path.Combine("..", "shared"));
    }
}
