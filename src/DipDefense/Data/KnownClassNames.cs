namespace DipDefense.Data;

/// <summary>The class names of well-known datasets, used when no class-name file lies beside the data.</summary>
public static class KnownClassNames
{
    /// <summary>The 10 CIFAR-10 classes in label order.</summary>
    public static IReadOnlyList<string> Cifar10 { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The 10 Fashion-MNIST classes in label order.</summary>
    public static IReadOnlyList<string> FashionMnist { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The names "0", "1", ... for <paramref name="count"/> classes (MNIST digits and unnamed classes).</summary>
    public static IReadOnlyList<string> Numbered(int count) =>
        Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
