using DipDefense.Attacks;
using DipDefense.Data;
using DipDefense.Onnx;
using static TorchSharp.torch;

/// <summary>The samples' attack: white-box PGD with ε = 8/255 through the victim's differentiable TorchSharp import.</summary>
static class PgdAttack
{
    /// <summary>The L∞ budget ε on pixels in [0, 1].</summary>
    public const double Eps = 8.0 / 255;

    /// <summary>
    /// Attacks <paramref name="images"/> [N, C, H, W] in [0, 1] with their true <paramref name="labels"/>, and rounds the result to 8 bits
    /// without leaving the ε-ball, as image files an attacker hands over would be.
    /// </summary>
    public static Tensor Run(string modelPath, Tensor images, Tensor labels)
    {
        using var differentiable = OnnxImporter.Load(modelPath);
        var pgd = new Pgd(differentiable, Eps, alpha: 2.0 / 255, steps: 10, seed: 0);
        using var crafted = pgd.Run(images, labels);
        Console.WriteLine($"PGD: eps = 8/255, {pgd.Steps} steps of {pgd.Alpha * 255:0}/255, random start (seed {pgd.Seed})");
        return EightBitQuantization.Quantize(crafted, images, Eps);
    }
}
