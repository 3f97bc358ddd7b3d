using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Cli;

/// <summary>Assertions on a finished <c>dipdefense</c> run.</summary>
public static class CliAssert
{
    /// <summary>Bad input: exit code 2, exactly one line on stderr holding every <paramref name="expected"/> fact, no stack trace, nothing on stdout.</summary>
    public static void OneLineError(ProcessRunner.Result r, params string[] expected)
    {
        Assert.Equal(2, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{r.StdErr}");
        Assert.DoesNotContain(" at ", lines[0]);
        foreach (var fact in expected)
            Assert.Contains(fact, lines[0]);
        Assert.Equal("", r.StdOut.Trim());
    }
}
