using DipDefense.Dip;
using DipDefense.Metrics;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// The settled-fit early stop during the DIP fit (<see cref="PurifierOptions.SettledFit"/>; docs/method.md, "Early stop"):
/// after each snapshot it asks the victim for the labels of the traces still watched and, where needed, their fit to the
/// input, and stops the traces <see cref="SettledTrace"/> settles. Each network is decided from its own snapshots only,
/// so the stop does not depend on the batch or on the workers' timing.
/// </summary>
internal sealed class SettledTraceStop : IDipTraceStop
{
    private readonly IClassifier victim;
    private readonly Tensor targets;
    private readonly SettledTrace[] traces;
    private readonly int lastRead;
    private readonly IDipTraceStop? inner;

    /// <summary>Creates the stop for one <see cref="DipTraceRunner.Run"/> call.</summary>
    /// <param name="victim">The protected classifier.</param>
    /// <param name="targets">The call's targets [n, C, H, W] (network r fits row r); kept, not copied, for the call's length.</param>
    /// <param name="options">The purifier's options (w, the gate window, φ_s, the horizon).</param>
    /// <param name="inner">Another stop (the horizon's) whose finished traces are finished here too; null: none.</param>
    public SettledTraceStop(IClassifier victim, Tensor targets, PurifierOptions options, IDipTraceStop? inner)
    {
        this.victim = victim;
        this.targets = targets;
        this.inner = inner;
        int recorded = options.Trace.Snapshots;
        lastRead = options.HorizonSnapshots(recorded) - 1;
        int first = options.FirstSettledSnapshot(recorded);
        using var noGrad = no_grad();
        long[] inputLabels = victim.PredictLabels(targets);
        traces = [.. inputLabels.Select(y => new SettledTrace(y, options.WarmUp, first, options.SettledFit))];
    }

    /// <inheritdoc />
    public bool[] Finished(IReadOnlyList<int> images, int snapshot, Tensor snapshots)
    {
        var finished = inner?.Finished(images, snapshot, snapshots) ?? new bool[images.Count];
        if (snapshot >= lastRead)
            return finished;
        int[] watched = [.. Enumerable.Range(0, images.Count).Where(r => !finished[r] && traces[images[r]].Watching(snapshot))];
        if (watched.Length == 0)
            return finished;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = snapshots.device;
        var rows = snapshots.detach().index_select(0, tensor(watched.Select(r => (long)r).ToArray(), device: device));
        long[] labels = victim.PredictLabels(rows);
        int[] fitted = [.. Enumerable.Range(0, watched.Length).Where(j => traces[images[watched[j]]].TakeLabel(snapshot, labels[j]))];
        if (fitted.Length == 0)
            return finished;
        var fittedRows = rows.index_select(0, tensor(fitted.Select(j => (long)j).ToArray(), device: device));
        var inputs = targets.index_select(0, tensor(fitted.Select(j => (long)images[watched[j]]).ToArray(), device: device));
        using var fits = ImageQuality.Ssim(fittedRows, inputs).to(ScalarType.Float64).cpu();
        var values = fits.data<double>().ToArray();
        for (int f = 0; f < fitted.Length; f++)
            finished[watched[fitted[f]]] = traces[images[watched[fitted[f]]]].Settles(values[f]);
        return finished;
    }
}
