namespace DipDefense.Tests.Onnx;

/// <summary>Reads the shared CIFAR-10 binary batch (1 label byte + 3072 bytes of R, G, B planes per record).</summary>
internal static class Cifar10TestImages
{
    const int RecordBytes = 1 + 3 * 32 * 32;

    /// <summary>Images float32 [N,3,32,32] in [0,1] and labels int64 [N].</summary>
    public static (Tensor Images, Tensor Labels) Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int n = bytes.Length / RecordBytes;
        var pixels = new float[n * 3072];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[i * RecordBytes];
            for (int j = 0; j < 3072; j++)
                pixels[i * 3072 + j] = bytes[i * RecordBytes + 1 + j] / 255f;
        }
        return (torch.tensor(pixels, [n, 3, 32, 32]), torch.tensor(labels));
    }
}
