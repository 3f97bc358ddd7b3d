namespace DipDefense.Tests.Packaging;

/// <summary>
/// The sample tests run one after another: each builds and runs a sample in its own processes, and on a small machine
/// several of them at once would only compete for the cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SamplesCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Samples";
}
