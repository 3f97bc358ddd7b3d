using System.CommandLine;
using DipDefense.Victims;

namespace DipDefense.Cli;

/// <summary>The command-line options that describe the ONNX victim, shared by every command that queries it.</summary>
internal sealed class VictimOptions
{
    public Option<FileInfo> Model { get; } = new("--model") { Description = "ONNX image classifier (input [N,C,H,W], output logits [N,K]).", Required = true };
    public Option<string?> InputName { get; } = new("--input-name") { Description = "Model input name (default: the only input)." };
    public Option<string?> OutputName { get; } = new("--output-name") { Description = "Model output name (default: the only output)." };
    public Option<float> Scale { get; } = new("--scale") { Description = "Multiply pixels in [0,1] by this before the model.", DefaultValueFactory = _ => 1f };
    public Option<float[]?> Mean { get; } = new("--mean") { Description = "Per-channel mean subtracted after scaling (e.g. --mean 0.485 0.456 0.406).", AllowMultipleArgumentsPerToken = true };
    public Option<float[]?> Std { get; } = new("--std") { Description = "Per-channel std divided by after the mean.", AllowMultipleArgumentsPerToken = true };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(InputName);
        command.Options.Add(OutputName);
        command.Options.Add(Scale);
        command.Options.Add(Mean);
        command.Options.Add(Std);
    }

    public OnnxClassifier Load(ParseResult result, int batchSize) =>
        new(result.GetValue(Model)!.FullName, new OnnxClassifierOptions
        {
            InputName = result.GetValue(InputName),
            OutputName = result.GetValue(OutputName),
            Scale = result.GetValue(Scale),
            Mean = NullIfEmpty(result.GetValue(Mean)),
            Std = NullIfEmpty(result.GetValue(Std)),
            BatchSize = batchSize,
        });

    static float[]? NullIfEmpty(float[]? values) => values is { Length: > 0 } ? values : null;
}
