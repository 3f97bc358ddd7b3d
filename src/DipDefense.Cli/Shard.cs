using System.Globalization;

namespace DipDefense.Cli;

/// <summary>
/// <c>--shard i/n</c>: this process takes the images at positions i, i + n, i + 2n, … of the selection (0 ≤ i &lt; n),
/// so that n processes (a Kubernetes indexed Job, a Slurm array) cover it once; seeds depend on the image, not the shard.
/// </summary>
/// <param name="Index">i, from 0.</param>
/// <param name="Count">n.</param>
internal sealed record Shard(int Index, int Count)
{
    /// <summary>The whole selection.</summary>
    public static readonly Shard All = new(0, 1);

    /// <summary>Parses <c>i/n</c>.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
            return new Shard(index, count);
        throw new ArgumentException($"--shard must be i/n with 0 ≤ i < n (e.g. 0/4 for the first of four); got '{text}'.");
    }

    /// <summary>Whether the image at <paramref name="position"/> of the selection (from 0) belongs to this shard.</summary>
    public bool Contains(int position) => position % Count == Index;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
