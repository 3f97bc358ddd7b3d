using System.CommandLine;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli;

/// <summary>The --device option (cpu, cuda, cuda:N) shared by the commands that run TorchSharp.</summary>
internal sealed class DeviceOption
{
    public Option<string> Option { get; } = new("--device") { Description = "TorchSharp device: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    public Device Resolve(ParseResult result)
    {
        string name = result.GetValue(Option)!.Trim().ToLowerInvariant();
        if (name.StartsWith("cuda") && !torch.cuda.is_available())
            throw new ArgumentException($"--device {name}: CUDA is not available here (reference a TorchSharp-cuda-* native bundle and run on a machine with an NVIDIA GPU).");
        try
        {
            return torch.device(name);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"--device must be cpu, cuda or cuda:N; got '{name}'.");
        }
    }
}
