using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Cli;

/// <summary>Bad input: exit code 2 and exactly one line on stderr, never a stack trace.</summary>
public sealed class CliErrorTests : IDisposable
{
    readonly TempDir _temp = new();

    string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [SharedDataFact]
    public void MissingModelFile()
    {
        string model = Path.Combine(_dir, "missing.onnx");
        CliAssert.OneLineError(CliRunner.Run("classify", "--model", model, "--data", SharedData.Cifar10Batch, "--json"), model, "not found");
    }

    [SharedDataFact]
    public void ModelFileOfRandomBytes()
    {
        string model = Path.Combine(_dir, "random.onnx");
        File.WriteAllBytes(model, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        CliAssert.OneLineError(CliRunner.Run("classify", "--model", model, "--data", SharedData.Cifar10Batch, "--json"), model, "not a valid ONNX model");
    }

    [SharedDataFact]
    public void TruncatedCifar10File()
    {
        string data = Path.Combine(_dir, "truncated.bin");
        File.WriteAllBytes(data, File.ReadAllBytes(SharedData.Cifar10Batch).AsSpan(0, 3073 * 3 + 100).ToArray());
        CliAssert.OneLineError(CliRunner.Run("classify", "--model", SharedData.ResNet20, "--data", data, "--json"), data, "9319 bytes", "3073");
    }

    [SharedDataFact]
    public void OneChannelDataForAThreeChannelModel()
    {
        string images = Path.Combine(_dir, "t10k-images-idx3-ubyte");
        WriteIdx(images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28], new byte[2 * 28 * 28]);
        WriteIdx(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 2], [3, 7]);
        CliAssert.OneLineError(CliRunner.Run("classify", "--model", SharedData.ResNet20, "--data", images, "--json"), "3×32×32", "1×28×28");
    }

    [SharedDataFact]
    public void BadEpsFraction()
    {
        CliAssert.OneLineError(CliRunner.Run("attack", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch,
            "--attack", "pgd", "--eps", "8/zero", "--count", "2", "--out", Path.Combine(_dir, "adv.bin")), "--eps", "8/zero");
    }

    [SharedDataTheory]
    [InlineData("8")]
    [InlineData("-1/255")]
    public void AnEpsOutsideThePixelRangeIsRefused(string eps)
    {
        string output = Path.Combine(_dir, "adv.bin");
        CliAssert.OneLineError(CliRunner.Run("attack", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch,
            "--attack", "pgd", "--eps", eps, "--count", "2", "--out", output), "--eps", "must lie in [0, 1]", "8/255");
        Assert.False(File.Exists(output));
    }

    [SharedDataFact]
    public void AnInvalidSettingsErrorLeavesOutTheLibrarysParameterName()
    {
        string output = Path.Combine(_dir, "purified.bin");
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2", "--iterations", "0", "--out", output);
        CliAssert.OneLineError(r, "Iterations must be positive; got 0.");
        Assert.DoesNotContain("(Parameter", r.StdErr);
        Assert.False(File.Exists(output));
    }

    [SharedDataFact]
    public void NegativeKappa()
    {
        string output = Path.Combine(_dir, "adv.bin");
        CliAssert.OneLineError(CliRunner.Run("attack", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch,
            "--attack", "cw", "--kappa", "-1", "--count", "2", "--out", output), "kappa");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingRequiredOptionAndUnknownAttack()
    {
        CliAssert.OneLineError(CliRunner.Run("classify", "--data", "x.bin"), "--model");
        CliAssert.OneLineError(CliRunner.Run("attack", "--model", "m.onnx", "--data", "x.bin", "--attack", "nope", "--out", "y.bin"), "nope");
    }

    static void WriteIdx(string path, byte[] header, byte[] payload) => File.WriteAllBytes(path, [.. header, .. payload]);
}
