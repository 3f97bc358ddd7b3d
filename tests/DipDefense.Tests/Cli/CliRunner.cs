using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Cli;

/// <summary>Runs the built <c>dipdefense</c> tool (same configuration as the tests) as a separate process.</summary>
public static class CliRunner
{
    public static string ToolPath()
    {
        // tests/DipDefense.Tests/bin/<Configuration>/<tfm>/ → src/DipDefense.Cli/bin/<Configuration>/<tfm>/DipDefense.Cli.dll
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = tfm.Parent!.Name;
        string path = Path.Combine(SharedData.RepositoryRoot, "src", "DipDefense.Cli", "bin", configuration, tfm.Name, "DipDefense.Cli.dll");
        Assert.True(File.Exists(path), $"the CLI is not built at {path}");
        return path;
    }

    public static ProcessRunner.Result Run(params string[] args) => ProcessRunner.Run("dotnet", [ToolPath(), .. args]);
}
