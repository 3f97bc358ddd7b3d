using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// A folder of DIP traces on disk, so that calibration and evaluation runs compute each trace once: a trace is
/// stored under a key made of the trace options (network, T, M, learning rate, seed, input noise, output averaging; not the workers) and the exact input pixels,
/// so a cached trace is returned only for the same inputs and settings.
/// </summary>
/// <remarks>
/// One file per call of <see cref="GetOrRun"/> (a batch of B traces): a small header, then the float32
/// snapshots [B, M, C, H, W]. A file is written under a temporary name and renamed, so an interrupted run
/// leaves no partial entry. Traces are deterministic for their seed, so a cached trace equals a recomputed one
/// up to floating-point rounding of the platform that computed it.
/// </remarks>
public sealed class DipTraceCache
{
    // 2: the grouped-convolution generator (its rounding differs from version 1's im2col), input noise and averaging in the key.
    // Since then the key also holds DipTraceRunner.ArithmeticVersion, which a change of kernels raises.
    private const int FormatVersion = 2;
    private static readonly byte[] Magic = "DIPTRACE"u8.ToArray();

    /// <summary>Creates (when missing) and uses the folder <paramref name="directory"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public DipTraceCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>
    /// The snapshots of the traces of <paramref name="targets"/> with <paramref name="runner"/>'s options: read
    /// from the cache when present, otherwise computed with <paramref name="runner"/> and stored.
    /// </summary>
    /// <param name="runner">The trace runner (its options are part of the key).</param>
    /// <param name="targets">float32 [B, C, H, W] in [0, 1].</param>
    /// <param name="progress">Told after each snapshot when the trace is computed; not called on a cache hit.</param>
    /// <param name="cancellationToken">Checked before every iteration when the trace is computed.</param>
    /// <returns>The snapshots [B, M, C, H, W] on the targets' device (the caller disposes them) and whether they came from the cache.</returns>
    /// <exception cref="InvalidDataException">A cache file with the key exists but does not hold B traces of this shape.</exception>
    public (Tensor Snapshots, bool FromCache) GetOrRun(DipTraceRunner runner, Tensor targets, IProgress<DipProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(targets);
        using var cpuTargets = targets.detach().to(ScalarType.Float32).cpu().contiguous();
        long[] shape = [targets.shape[0], runner.Options.Snapshots, .. targets.shape.Skip(1)];
        string path = Path.Combine(Directory, Key(runner.Options, cpuTargets) + ".trace");

        if (File.Exists(path))
            return (Read(path, shape).to(targets.device), true);

        var result = runner.Run(targets, progress, cancellationToken);
        Write(path, result.Snapshots);
        return (result.Snapshots, false);
    }

    private static string Key(DipTraceOptions options, Tensor cpuTargets)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string settings = $"v{FormatVersion}|a{DipTraceRunner.ArithmeticVersion}|{options.Network}|T{options.Iterations}|M{options.Snapshots}|lr{options.LearningRate:R}|seed{options.Seed}|noise{options.InputNoiseStd:R}|avg{options.OutputAveraging:R}|{(options.NoiseFreeSnapshots ? "noisefree|" : "")}[{string.Join(",", cpuTargets.shape)}]";
        hash.AppendData(Encoding.UTF8.GetBytes(settings));
        hash.AppendData(cpuTargets.bytes);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static Tensor Read(string path, long[] shape)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic) || reader.ReadInt32() != FormatVersion)
            throw new InvalidDataException($"'{path}' is not a DIP trace cache file of format version {FormatVersion}.");
        long[] stored = [.. Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadInt64())];
        if (!stored.SequenceEqual(shape))
            throw new InvalidDataException($"'{path}' holds traces [{string.Join(", ", stored)}]; expected [{string.Join(", ", shape)}]. Delete the file.");
        long expectedBytes = shape.Aggregate(4L, (a, b) => a * b);
        byte[] data = reader.ReadBytes(checked((int)expectedBytes));
        if (data.Length != expectedBytes)
            throw new InvalidDataException($"'{path}' is truncated: {data.Length} of {expectedBytes} snapshot bytes. Delete the file.");
        var snapshots = empty(shape, ScalarType.Float32);
        snapshots.bytes = data;
        return snapshots;
    }

    private static void Write(string path, Tensor snapshots)
    {
        using var cpu = snapshots.detach().cpu().contiguous();
        DipDefense.Data.AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(cpu.shape.Length);
            foreach (long d in cpu.shape)
                writer.Write(d);
            writer.Write(cpu.bytes);
        });
    }
}
