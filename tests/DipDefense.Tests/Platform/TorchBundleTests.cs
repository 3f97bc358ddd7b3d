using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Platform;

/// <summary>
/// The native-bundle switch of TorchBundle.props: TorchSharp-cpu by default, the CUDA bundle of the host system with
/// -p:DipDefenseTorchBundle=cuda, a clear error for anything else. Evaluated only (the CUDA bundles are not restored here).
/// </summary>
public class TorchBundleTests
{
    private static readonly string Cli = Path.Combine(SharedData.RepositoryRoot, "src", "DipDefense.Cli", "DipDefense.Cli.csproj");

    private static ProcessRunner.Result MsBuild(params string[] args) =>
        ProcessRunner.Run("dotnet", ["msbuild", Cli, "-nologo", .. args], new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

    [Theory]
    [InlineData(null, "TorchSharp-cpu")]
    [InlineData("cpu", "TorchSharp-cpu")]
    [InlineData("cuda", "cuda")]
    public void TheSwitchPicksTheBundle(string? bundle, string expected)
    {
        var r = bundle is null ? MsBuild("-getItem:PackageReference") : MsBuild("-getItem:PackageReference", $"-p:DipDefenseTorchBundle={bundle}");
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        string host = OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux";
        string wanted = expected == "cuda" ? host : expected;
        Assert.Contains($"\"{wanted}\"", r.StdOut);
        foreach (var other in new[] { "TorchSharp-cpu", "TorchSharp-cuda-linux", "TorchSharp-cuda-windows" }.Where(o => o != wanted))
            Assert.DoesNotContain($"\"{other}\"", r.StdOut);
    }

    [Fact]
    public void AnUnknownBundleIsAnErrorThatNamesTheSetting()
    {
        var r = MsBuild("-t:DipDefenseCheckTorchBundle", "-p:DipDefenseTorchBundle=rocm");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("DipDefenseTorchBundle must be cpu or cuda; got 'rocm'", r.StdOut);
    }
}
