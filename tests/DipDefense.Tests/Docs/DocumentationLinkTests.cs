using System.Text;
using System.Text.RegularExpressions;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Docs;

/// <summary>
/// The documentation holds together: every relative link in README.md, docs/, the samples' READMEs and the package
/// READMEs resolves to a file or folder of the repository (and, for a link into a Markdown file with #anchor, to one of
/// its headings); every docs/ page cited by the code exists; the README stays short.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    static string Root => SharedData.RepositoryRoot;

    /// <summary>The Markdown files whose links are checked, relative to the repository root.</summary>
    static IEnumerable<string> MarkdownFiles()
    {
        yield return "README.md";
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
            yield return Path.GetRelativePath(Root, file);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "samples"), "README.md", SearchOption.AllDirectories))
            if (!IsBuildOutput(file))
                yield return Path.GetRelativePath(Root, file);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "PACKAGE.md", SearchOption.AllDirectories))
            yield return Path.GetRelativePath(Root, file);
    }

    [Fact]
    public void EveryRelativeLinkInTheDocumentationResolves()
    {
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (string file in MarkdownFiles())
        {
            foreach (var (line, target) in Links(File.ReadAllText(Path.Combine(Root, file))))
            {
                if (IsExternal(target))
                    continue;
                checkedLinks++;
                if (Resolve(file, target) is { } problem)
                    broken.Add($"{file}:{line}: ({target}) {problem}");
            }
        }

        Assert.True(checkedLinks > 50, $"only {checkedLinks} relative links found: the scan is broken");
        Assert.True(broken.Count == 0, $"{broken.Count} broken links:\n{string.Join("\n", broken)}");
    }

    [Fact]
    public void EveryDocsPageTheCodeCitesExists()
    {
        string[] extensions = [".cs", ".csproj", ".props", ".targets", ".sh"];
        var files = new[] { "src", "samples", "tests", "tools", ".ci" }
            .Select(folder => Path.Combine(Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Root, "Directory.*"))
            .Where(file => !IsBuildOutput(file) && (extensions.Contains(Path.GetExtension(file)) || Path.GetFileName(file) == "run"))
            .ToList();

        var broken = new List<string>();
        int citations = 0;
        foreach (string file in files)
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match match in DocsCitation().Matches(lines[i]))
                {
                    citations++;
                    if (Resolve("README.md", match.Value) is { } problem)
                        broken.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {match.Value}: {problem}");
                }
            }
        }

        Assert.True(citations > 10, $"only {citations} docs/ citations found in the code: the scan is broken");
        Assert.True(broken.Count == 0, $"{broken.Count} citations of missing pages or sections:\n{string.Join("\n", broken)}");
    }

    [Fact]
    public void TheReadmeIsAtMost200Lines()
    {
        int lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;

        Assert.True(lines <= 200, $"README.md has {lines} lines; move detail into docs/");
    }

    [Theory]
    [InlineData("## TorchSharp on Debian 12 and Ubuntu 22.04", "torchsharp-on-debian-12-and-ubuntu-2204")]
    [InlineData("## ONNX ↔ TorchSharp", "onnx--torchsharp")]
    [InlineData("### `classify`", "classify")]
    [InlineData("## The ceiling, and why PGD falls short", "the-ceiling-and-why-pgd-falls-short")]
    [InlineData("## Confirmation with `purify` (offsets 250–499, the defaults)", "confirmation-with-purify-offsets-250499-the-defaults")]
    public void AnchorsAreGitHubSlugs(string heading, string slug)
    {
        Assert.Equal([slug], Anchors(heading + "\n"));
    }

    /// <summary>Null when <paramref name="target"/>, linked from <paramref name="from"/> (relative to the root), resolves; else why not.</summary>
    static string? Resolve(string from, string target)
    {
        int hash = target.IndexOf('#');
        string path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        string? anchor = hash < 0 ? null : target[(hash + 1)..];
        string full = path.Length == 0
            ? Path.Combine(Root, from)
            : Path.GetFullPath(Path.Combine(Root, Path.GetDirectoryName(from)!, path));

        if (!full.StartsWith(Root, StringComparison.Ordinal))
            return "points outside the repository";
        if (!File.Exists(full) && !Directory.Exists(full))
            return "no such file";
        if (anchor is null || !full.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            return null;
        return Anchors(File.ReadAllText(full)).Contains(anchor) ? null : $"no heading with anchor #{anchor}";
    }

    /// <summary>The links [text](target) of a Markdown text with their line numbers, outside code blocks and code spans.</summary>
    static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        foreach (var (number, line) in ProseLines(markdown))
            foreach (Match match in MarkdownLink().Matches(CodeSpan().Replace(line, "")))
                yield return (number, match.Groups["target"].Value);
    }

    /// <summary>GitHub's anchors of the headings of a Markdown text (duplicates numbered -1, -2, …).</summary>
    static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>();
        foreach (var (_, line) in ProseLines(markdown))
        {
            if (Heading().Match(line) is not { Success: true } heading)
                continue;
            string slug = Slug(heading.Groups["text"].Value);
            int count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>GitHub's slug: lower case; letters, digits, spaces, hyphens and underscores kept; spaces become hyphens.</summary>
    static string Slug(string heading)
    {
        string text = MarkdownLink().Replace(heading.Trim(), m => m.Groups["text"].Value).ToLowerInvariant();
        var slug = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c) || c == '-' || c == '_')
                slug.Append(c);
            else if (c == ' ')
                slug.Append('-');
        }
        return slug.ToString();
    }

    /// <summary>The lines of a Markdown text outside fenced code blocks, numbered from 1.</summary>
    static IEnumerable<(int Number, string Line)> ProseLines(string markdown)
    {
        string[] lines = markdown.Split('\n');
        string? fence = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (fence is null && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
                fence = trimmed[..3];
            else if (fence is not null && trimmed.StartsWith(fence, StringComparison.Ordinal))
                fence = null;
            else if (fence is null)
                yield return (i + 1, lines[i].TrimEnd('\r'));
        }
    }

    static bool IsExternal(string target) =>
        target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".packages" or "out");

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"docs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.(?:md|sh)(?:#[A-Za-z0-9_-]+)?")]
    private static partial Regex DocsCitation();
}
