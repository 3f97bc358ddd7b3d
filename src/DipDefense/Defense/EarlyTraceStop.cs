using DipDefense.Dip;
using DipDefense.Metrics;
using DipDefense.Victims;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Defense;

/// <summary>
/// The early stops per trace during the DIP fit (<see cref="PurifierOptions.SettledFit"/>, <see cref="PurifierOptions.MarkedHorizon"/>;
/// docs/method.md, "Early stop"): after each snapshot it asks the victim about the traces <see cref="TraceStopRule"/> watches
/// and, where needed, computes their fit to the input, and stops the traces the rule ends. Each network is decided from
/// its own snapshots only, so the stop does not depend on the batch or on the workers' timing. The victim's answers are
/// kept for the decision mapping (<see cref="SnapshotAnswers"/>), which then does not ask again.
/// </summary>
internal sealed class EarlyTraceStop : IDipTraceStop
{
    private readonly IClassifier victim;
    private readonly Tensor targets;
    private readonly long[] inputLabels;
    private readonly TraceStopRule[] rules;
    private readonly int lastRead;
    private readonly IDipTraceStop? inner;
    private readonly SnapshotAnswers answers;

    /// <summary>Creates the stop for one <see cref="DipTraceRunner.Run"/> call.</summary>
    /// <param name="victim">The protected classifier.</param>
    /// <param name="targets">The call's targets [n, C, H, W] (network r fits row r); kept, not copied, for the call's length.</param>
    /// <param name="options">The purifier's options (w, the gate, φ_s, H_m, the horizon).</param>
    /// <param name="inner">Another stop (the horizon's) whose finished traces are finished here too; null: none.</param>
    /// <param name="answers">Where the victim's answers about the snapshots are recorded (a network per target row).</param>
    public EarlyTraceStop(IClassifier victim, Tensor targets, PurifierOptions options, IDipTraceStop? inner, SnapshotAnswers answers)
    {
        this.victim = victim;
        this.targets = targets;
        this.inner = inner;
        this.answers = answers;
        int recorded = options.Trace.Snapshots;
        lastRead = options.HorizonSnapshots(recorded) - 1;
        using var noGrad = no_grad();
        (inputLabels, double[] margins) = victim.PredictLabelsAndMargins(targets);
        rules = [.. inputLabels.Select((y, r) => new TraceStopRule(y, margins[r], options, recorded))];
    }

    /// <inheritdoc />
    public bool[] Finished(IReadOnlyList<int> images, IReadOnlyList<int> snapshot, Tensor snapshots)
    {
        var finished = inner?.Finished(images, snapshot, snapshots) ?? new bool[images.Count];
        int[] running = [.. Enumerable.Range(0, images.Count).Where(r => !finished[r] && snapshot[r] < lastRead)];
        int[] watched = [.. running.Where(r => rules[images[r]].Watching(snapshot[r]))];
        var fits = new Dictionary<int, double>();
        if (watched.Length > 0)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var device = snapshots.device;
            var rows = snapshots.detach().index_select(0, tensor(watched.Select(r => (long)r).ToArray(), device: device));
            // As the decision mapping computes them: the argmax of the logits and the float64 softmax.
            var logits = victim.Logits(rows);
            using var labelsCpu = logits.argmax(1).cpu();
            long[] labels = labelsCpu.data<long>().ToArray();
            using var probabilities = softmax(logits.to(ScalarType.Float64), 1).cpu();
            int classes = (int)probabilities.shape[1];
            double[] p = probabilities.data<double>().ToArray();
            for (int j = 0; j < watched.Length; j++)
                answers.Record(images[watched[j]], snapshot[watched[j]], labels[j], p, j * classes, classes);
            int[] fitted = [.. Enumerable.Range(0, watched.Length)
                .Where(j => rules[images[watched[j]]].TakeLabel(snapshot[watched[j]], labels[j], p[j * classes + (int)inputLabels[images[watched[j]]]]))];
            if (fitted.Length > 0)
            {
                var fittedRows = rows.index_select(0, tensor(fitted.Select(j => (long)j).ToArray(), device: device));
                var inputs = targets.index_select(0, tensor(fitted.Select(j => (long)images[watched[j]]).ToArray(), device: device));
                using var ssim = ImageQuality.Ssim(fittedRows, inputs).to(ScalarType.Float64).cpu();
                double[] values = ssim.data<double>().ToArray();
                for (int f = 0; f < fitted.Length; f++)
                    fits[watched[fitted[f]]] = values[f];
            }
        }
        foreach (int r in running)
            finished[r] = rules[images[r]].End(snapshot[r], fits.GetValueOrDefault(r, double.NaN)) != TraceEnd.Full;
        return finished;
    }
}
