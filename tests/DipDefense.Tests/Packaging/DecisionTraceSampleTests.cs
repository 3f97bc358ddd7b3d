using DipDefense.Data;
using DipDefense.Tests.Infrastructure;

namespace DipDefense.Tests.Packaging;

/// <summary>
/// Builds samples/DecisionTrace against the packages in nuget/ and runs it on the shipped assets with a short trace
/// (T = 100, M = 20); checks that its explanation of the trace is consistent from step to step.
/// </summary>
[Collection(SamplesCollection.Name)]
public sealed class DecisionTraceSampleTests
{
    [LocalPackagesFact]
    public void ExplainsOneTraceConsistently()
    {
        using var temp = new TempDir();
        var output = SampleApp.Built("DecisionTrace").Run(["--iterations", "100", "--out", temp.Path]);

        // The explained image and its true class.
        int pick = int.Parse(output.Line(@"explaining image (\d+)").Groups[1].Value);
        using var images = DatasetReader.Read(Path.Combine(SharedData.RepositoryRoot, "samples", "assets", "images"));
        string truth = images.ClassNames[(int)images.Labels[pick].item<long>()];
        Assert.Equal(truth, output.Line($@"image {pick}: true (.+), clean image labelled .+").Groups[1].Value);

        // The label runs cover the M snapshots in order, each run with another label than the one before.
        var settings = output.Line(@"DIP: \S+ network, T = (\d+) iterations, M = (\d+) snapshots, warm-up (\d+), N = (\d+), selection (\w+) \(θ [\d.]+, K = (\d+) traces per image\), batch 1");
        Assert.Equal(("Vote", "2"), (settings.Groups[5].Value, settings.Groups[6].Value));   // the library's defaults
        int snapshots = int.Parse(settings.Groups[2].Value), warmUp = int.Parse(settings.Groups[3].Value);
        var runs = output.Table("snapshots", "iterations", "label", "SSIM")
            .Select(r => (First: int.Parse(r[0].Split('-')[0]), Last: int.Parse(r[0].Split('-')[^1]), Label: r[2])).ToList();
        Assert.Equal(0, runs[0].First);
        Assert.Equal(snapshots - 1, runs[^1].Last);
        for (int k = 1; k < runs.Count; k++)
        {
            Assert.Equal(runs[k - 1].Last + 1, runs[k].First);
            Assert.NotEqual(runs[k - 1].Label, runs[k].Label);
        }
        output.Line("the snapshots agree with the plotted confidences' arg-max: True");

        // Every label change between two runs is listed once; those before the warm-up never count.
        var changes = output.Table("i", "iteration", "label change", "SSIM q_i", "crossing");
        Assert.Equal(runs.SkipLast(1).Select(r => r.Last.ToString()), changes.Select(c => c[0]));
        Assert.Equal(runs.Zip(runs.Skip(1), (a, b) => $"{a.Label} -> {b.Label}"), changes.Select(c => c[2]));
        Assert.All(changes.Where(c => int.Parse(c[0]) < warmUp), c => Assert.Equal("no (warm-up)", c[4]));
        int crossings = changes.Count(c => c[4].StartsWith("yes")), used = changes.Count(c => c[4] == "yes, used");
        var counts = output.Line(@"(\d+) label changes?, (\d+) crossings?, (\d+) pairs? used");
        Assert.Equal((changes.Count, crossings, used), (int.Parse(counts.Groups[1].Value), int.Parse(counts.Groups[2].Value), int.Parse(counts.Groups[3].Value)));

        // Under the vote no pair is used: the input is marked (and a snapshot of the voted class is the output) or passes
        // through. The paper's reconstruction (pairs, or the fallback) is shown when a pair is used.
        string[] lines = output.Text.ReplaceLineEndings("\n").Split('\n');
        var pairs = lines.Where(line => line.StartsWith("pair ")).ToList();
        Assert.Equal(changes.Where(c => c[4] == "yes, used").Select(c => $"pair {c[0]}-{int.Parse(c[0]) + 1}"), pairs.Select(p => p.Split(':')[0]));
        Assert.Equal(0, used);
        Assert.Single(lines, line => line.StartsWith("marked as adversarial") || line.StartsWith("not marked"));
        if (lines.FirstOrDefault(line => line.StartsWith("marked as adversarial")) is { } marked)
            Assert.Matches(@"vote for (.+): output snapshot (\d+)$", marked);
        var final = output.Line(@"final label (.+) \(true (.+), adversarial (.+)\)");
        Assert.Equal(truth, final.Groups[2].Value);
        Assert.Contains(final.Groups[1].Value, images.ClassNames);

        using var plot = PngImage.Load(Path.Combine(temp.Path, "trace.png"));
        Assert.Equal(new long[] { 450, 800 }, plot.shape[1..]);
    }
}
