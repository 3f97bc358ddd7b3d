using System.Diagnostics;
using DipDefense.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DipDefense.Tests.MLNet;

/// <summary>Runs alone (no other test allocates meanwhile), so that the process's working set is DipPurify's.</summary>
[CollectionDefinition(nameof(AloneInTheProcess), DisableParallelization = true)]
public sealed class AloneInTheProcess;

/// <summary>Streaming through DipPurify keeps memory flat: nothing (tensors, buffers, blocks) is kept per row.</summary>
[Collection(nameof(AloneInTheProcess))]
public class DipPurifyStreamingTests(MLNetTestData data) : IClassFixture<MLNetTestData>
{
    const int Rows = 2000;

    [Fact]
    public void TwoThousandRowsLeaveTheWorkingSetWithinTenPercentOfItsValueAfterTwoHundred()
    {
        var mlContext = new MLContext(seed: 1);
        var options = data.Options(batchSize: 16);
        options.Iterations = 2;
        options.Snapshots = 2;
        options.WarmUp = 0;
        options.Pairs = 1;
        options.GateFrom = 0;
        options.GateTo = 1;
        // A lazy source: the rows are made as the cursor asks for them, so the input holds nothing either.
        var input = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, Rows).Select(i => MLNetTestData.VectorRows(1 + i % 7)[^1]));
        using var model = mlContext.Transforms.DipPurify(options).Fit(input);
        var output = model.Transform(input);

        var column = output.Schema["Purified"];
        // One pass of 200 rows first: libtorch's allocator and thread pools and ML.NET's caches grow to their working
        // size in the first few hundred rows (measured: +4% from row 200 to 800, then flat), which is not per-row memory.
        Read(output, column, 200);
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> purified = default;
        long after200 = 0, after2000 = 0;
        int rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref purified);
            rows++;
            if (rows == 200)
                after200 = WorkingSet();
            else if (rows == Rows)
                after2000 = WorkingSet();
        }

        Assert.Equal(Rows, rows);
        Assert.True(after2000 <= after200 * 1.10,
            $"working set {after200 / 1e6:F1} MB after 200 rows, {after2000 / 1e6:F1} MB after {Rows} ({(double)after2000 / after200 - 1:P1} more)");
    }

    static void Read(IDataView output, DataViewSchema.Column column, int rows)
    {
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        for (int r = 0; r < rows && cursor.MoveNext(); r++)
            getter(ref value);
    }

    static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
