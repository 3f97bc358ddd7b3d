using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DipDefense.Dip;

/// <summary>
/// BatchNorm in training mode without running statistics, on [1, B·c, H, W]: each channel normalised over H × W
/// with its own affine weight (1) and bias (0), eps 1e-5 — what <c>nn.BatchNorm2d</c> computes in training mode.
/// </summary>
/// <remarks>
/// The DIP generator always runs in training mode, so running statistics are never read. Skipping them saves their
/// update on every call, and the module makes no temporary <c>Scalar</c>: TorchSharp's <c>BatchNorm2d</c> increments
/// its batch counter with one, whose finalizer can free it while the native call still reads it when other threads
/// allocate (the DIP workers of <see cref="DipTraceRunner"/>).
/// </remarks>
internal sealed class TrainingBatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public TrainingBatchNorm(string name, long channels) : base(name)
    {
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        nn.functional.batch_norm(input, null, null, weight, bias, training: true, momentum: 0.1, eps: 1e-5);
}
