using DipDefense.Data;

namespace DipDefense.Tests.Training;

/// <summary>A small synthetic image set a CNN can learn: class k has a bright bar in row band k on dim noise.</summary>
public static class LearnableImages
{
    /// <summary>
    /// <paramref name="count"/> grey images of <paramref name="side"/>×<paramref name="side"/> with labels cycling
    /// through <paramref name="classes"/>; image i of class k has noise in [0, 0.4) and rows
    /// [k·side/classes, (k+1)·side/classes) raised by 0.6. Deterministic for a seed.
    /// </summary>
    public static ImageDataset Create(int count, int classes = 3, int side = 8, long seed = 1)
    {
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var images = rand([count, 1, side, side], generator: generator).mul_(0.4f);
        var labels = arange(count, ScalarType.Int64).remainder_(classes);
        int band = side / classes;
        for (int i = 0; i < count; i++)
        {
            int k = i % classes;
            images[i, 0].narrow(0, k * band, band).add_(0.6f);
        }
        var names = Enumerable.Range(0, classes).Select(k => $"band{k}").ToArray();
        var data = new ImageDataset(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), names);
        return data;
    }
}
