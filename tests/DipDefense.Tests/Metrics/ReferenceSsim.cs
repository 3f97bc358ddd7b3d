namespace DipDefense.Tests.Metrics;

/// <summary>
/// A deliberately plain SSIM for one image pair, written from Wang et al. (2004) with loops only:
/// a normalised 11×11 Gaussian window (σ = 1.5) at every valid position, population statistics,
/// C1 = 0.01², C2 = 0.03², mean over positions and channels. Independent of the library's convolutions.
/// </summary>
internal static class ReferenceSsim
{
    public static double Compute(float[,,] x, float[,,] y)
    {
        const int size = 11, radius = 5;
        const double c1 = 0.0001, c2 = 0.0009;
        var window = new double[size, size];
        double total = 0;
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
                total += window[i, j] = Math.Exp(-((i - radius) * (i - radius) + (j - radius) * (j - radius)) / (2 * 1.5 * 1.5));
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
                window[i, j] /= total;

        int channels = x.GetLength(0), height = x.GetLength(1), width = x.GetLength(2);
        double sum = 0;
        int count = 0;
        for (int c = 0; c < channels; c++)
            for (int top = 0; top + size <= height; top++)
                for (int left = 0; left + size <= width; left++)
                {
                    double mx = 0, my = 0;
                    for (int i = 0; i < size; i++)
                        for (int j = 0; j < size; j++)
                        {
                            mx += window[i, j] * x[c, top + i, left + j];
                            my += window[i, j] * y[c, top + i, left + j];
                        }
                    double vx = 0, vy = 0, cov = 0;
                    for (int i = 0; i < size; i++)
                        for (int j = 0; j < size; j++)
                        {
                            double dx = x[c, top + i, left + j] - mx, dy = y[c, top + i, left + j] - my;
                            vx += window[i, j] * dx * dx;
                            vy += window[i, j] * dy * dy;
                            cov += window[i, j] * dx * dy;
                        }
                    sum += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    count++;
                }
        return sum / count;
    }
}
