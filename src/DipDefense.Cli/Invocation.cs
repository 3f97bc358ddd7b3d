using System.Reflection;
using System.Security.Cryptography;

namespace DipDefense.Cli;

/// <summary>What a store or a report records about the command that made it: the command line, the package version and content hashes of its inputs.</summary>
internal static class Invocation
{
    /// <summary>This process's command line as <c>dipdefense …</c>, arguments with spaces quoted.</summary>
    public static string CommandLine =>
        string.Join(" ", ["dipdefense", .. Environment.GetCommandLineArgs().Skip(1).Select(a => a.Length > 0 && !a.Any(char.IsWhiteSpace) ? a : $"'{a}'")]);

    /// <summary>The DipDefense library's informational version (e.g. 0.1.0-local-… +commit).</summary>
    public static string Version =>
        typeof(DipDefense.Defense.IPurifier).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// The SHA-256 (hex) of a file, or of a folder's files (relative names and contents, in ordinal order), so that a
    /// store recognises the same model and data under another path (another machine of a sharded run).
    /// </summary>
    public static string ContentHash(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (Directory.Exists(path))
            foreach (string file in Directory.GetFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file).Replace('\\', '/') + "\n"));
                hash.AppendData(File.ReadAllBytes(file));
            }
        else
            hash.AppendData(File.ReadAllBytes(path));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
