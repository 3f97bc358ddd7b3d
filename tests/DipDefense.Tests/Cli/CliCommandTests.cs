using System.Text.Json;
using DipDefense.Data;
using DipDefense.Tests.Infrastructure;
using DipDefense.Victims;

namespace DipDefense.Tests.Cli;

public sealed class CliCommandTests : IDisposable
{
    readonly TempDir _temp = new();

    string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [SharedDataFact]
    public void ClassifyReportsTheReferenceAccuracyAsOneJsonObject()
    {
        var r = CliRunner.Run("classify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut); // the whole of stdout is one JSON value
        var root = json.RootElement;
        Assert.Equal(500, root.GetProperty("count").GetInt32());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0.908, 0.912);
        Assert.True(root.GetProperty("images_per_second").GetDouble() > 0);
        Assert.Equal(10, root.GetProperty("per_class").GetArrayLength());
    }

    [SharedDataFact]
    public void ClassifyHonoursOffsetAndCount()
    {
        var r = CliRunner.Run("classify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "490", "--count", "10", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        Assert.Equal(10, json.RootElement.GetProperty("count").GetInt32());
    }

    [SharedDataFact]
    public void PgdAttackWritesQuantisedImagesInsideTheBudgetThatFoolTheVictim()
    {
        string output = Path.Combine(_dir, "adv.bin");
        var r = CliRunner.Run("attack", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "16",
            "--attack", "pgd", "--eps", "8/255", "--steps", "5", "--json", "--out", output);

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.True(root.GetProperty("adversarial_accuracy").GetDouble() < root.GetProperty("clean_accuracy").GetDouble());
        Assert.InRange(root.GetProperty("max_linf").GetDouble(), 1.0 / 255, 8.0 / 255 + 1e-6);

        using var clean = DatasetReader.Read(SharedData.Cifar10Batch);
        using var cleanPart = clean.Slice(0, 16);
        using var adversarial = DatasetReader.Read(output);
        Assert.Equal(cleanPart.Labels.data<long>().ToArray(), adversarial.Labels.data<long>().ToArray());
        double linf = (adversarial.Images - cleanPart.Images).abs().max().item<float>();
        Assert.InRange(linf, 1.0 / 255, 8.0 / 255 + 1e-6);
    }

    [SharedDataFact]
    public void PurifyWritesThePurifiedImagesAndReportsTheDefenseFigures()
    {
        string output = Path.Combine(_dir, "purified.bin");
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--clean", SharedData.Cifar10Batch,
            "--offset", "3", "--count", "3", "--preset", "small", "--iterations", "20", "--snapshots", "4", "--horizon", "1", "--warmup", "1", "--pairs", "2", "--batch", "2",
            "--json", "--out", output);

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("ssim").GetDouble(), -1, 1);
        Assert.True(root.GetProperty("seconds_per_image").GetDouble() > 0);
        Assert.Equal(2, root.GetProperty("options").GetProperty("batch").GetInt32());
        Assert.Equal("vote", root.GetProperty("options").GetProperty("selection").GetString());
        foreach (var image in root.GetProperty("images").EnumerateArray())   // the vote names its class for exactly the marked inputs
            Assert.Equal(image.GetProperty("passed_through").GetBoolean(), image.GetProperty("voted_class").ValueKind == JsonValueKind.Null);

        using var purified = DatasetReader.Read(output);
        using var clean = DatasetReader.Read(SharedData.Cifar10Batch);
        using var part = clean.Slice(3, 3);
        // input_margin: the victim's logit margin of its own label on each input.
        using (var victim = new OnnxClassifier(SharedData.ResNet20))
        using (var logits = victim.Logits(part.Images))
        using (var top = logits.topk(2, 1).values)
        {
            float[] t = top.data<float>().ToArray();
            double[] margins = [.. root.GetProperty("images").EnumerateArray().Select(image => image.GetProperty("input_margin").GetDouble())];
            for (int i = 0; i < 3; i++)
                Assert.Equal(t[2 * i] - t[2 * i + 1], margins[i], 3);
        }
        Assert.Equal(part.Labels.data<long>().ToArray(), purified.Labels.data<long>().ToArray());
        Assert.True((purified.Images - part.Images).abs().max().item<float>() > 0, "purification returned the input unchanged");
    }

    [SharedDataFact]
    public void PurifyRejectsACleanSetThatDoesNotMatch()
    {
        string shifted = Path.Combine(_dir, "shifted.bin");
        File.WriteAllBytes(shifted, File.ReadAllBytes(SharedData.Cifar10Batch).AsSpan(3073).ToArray());
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--clean", shifted,
            "--count", "4", "--out", Path.Combine(_dir, "p.bin"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not match --data", r.StdErr);
    }
    [SharedDataFact]
    public void CalibrateRanksEverySettingOnEverySetAsOneJsonObject()
    {
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--data", SharedData.Cifar10Batch,
            "--clean", SharedData.Cifar10Batch, "--offset", "3", "--count", "2", "--preset", "small", "--iterations", "20", "--snapshots", "4",
            "--batch", "2", "--horizon", "1", "--tau", "0.5", "--warmup", "0,1", "--pairs", "2", "--eta", "0.1", "--grid", "4", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("count").GetInt32());
        var settings = root.GetProperty("settings");
        Assert.Equal(2, settings.GetArrayLength());
        double previous = double.PositiveInfinity;
        foreach (var row in settings.EnumerateArray())
        {
            foreach (string key in new[] { "tau", "warmup", "pairs", "eta", "grid", "ssim", "crossing_share", "ceiling" })
                Assert.True(row.TryGetProperty(key, out _), $"missing {key}");
            double mean = row.GetProperty("mean_accuracy").GetDouble();
            Assert.InRange(mean, 0, previous);                    // sorted by mean accuracy
            previous = mean;
            Assert.Equal(2, row.GetProperty("per_set").GetArrayLength());
            Assert.InRange(row.GetProperty("ssim").GetDouble(), -1, 1);
        }
        var best = root.GetProperty("best");
        foreach (string key in new[] { "warmup", "mean_accuracy", "ssim" })
            Assert.Equal(settings[0].GetProperty(key).GetDouble(), best.GetProperty(key).GetDouble());
    }

    [SharedDataFact]
    public void CalibrateWithATraceCacheReusesTheTracesAndGivesTheSameTable()
    {
        using var cache = new TempDir();
        string[] args = ["calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "5", "--count", "3",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--horizon", "1", "--batch", "2", "--warmup", "0,1", "--pairs", "2",
            "--trace-cache", cache.Path, "--json"];

        var first = CliRunner.Run(args);
        var second = CliRunner.Run(args);

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.True(second.ExitCode == 0, second.StdErr);
        using var a = JsonDocument.Parse(first.StdOut);
        using var b = JsonDocument.Parse(second.StdOut);
        Assert.Equal(0, a.RootElement.GetProperty("cached_chunks").GetInt32());
        Assert.Equal(4, b.RootElement.GetProperty("cached_chunks").GetInt32());   // chunks of 2 + 1 images, two traces each (K = 2)
        Assert.Equal(a.RootElement.GetProperty("settings").GetRawText(), b.RootElement.GetProperty("settings").GetRawText());
    }

    [SharedDataFact]
    public void CalibratePlotsTheAccuracyAgainstEachSettingItVariedWithTheOthersAtTheBestSetting()
    {
        using var plots = new TempDir();
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--data", SharedData.Cifar10Batch,
            "--offset", "3", "--count", "2", "--preset", "small", "--iterations", "20", "--snapshots", "4", "--batch", "2",
            "--selection", "paper,vote", "--gate-threshold", "0.7", "--tau", "0.5,0.9", "--warmup", "0,1,2", "--pairs", "1", "--plot", plots.Path, "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        // Only τ and w were varied: one figure each per selection mode, nothing for the settings held at one value.
        Assert.Equal(["calibrate-paper-vs-tau.png", "calibrate-paper-vs-warmup.png", "calibrate-vote-vs-tau.png", "calibrate-vote-vs-warmup.png"],
            Directory.GetFiles(plots.Path).Select(Path.GetFileName).Order());
        foreach (string file in Directory.GetFiles(plots.Path))
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(file)[..4]);

        var rows = root.GetProperty("settings").EnumerateArray().Where(row => row.GetProperty("selection").GetString() == "paper").ToArray();
        var best = rows[0];   // the paper mode's best row (the rows are sorted by mean accuracy)
        string[] sets = [.. root.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("name").GetString()!)];
        var warmup = root.GetProperty("figures").EnumerateArray()
            .Single(f => f.GetProperty("selection").GetString() == "paper" && f.GetProperty("setting").GetString() == "warmup");
        Assert.Equal([0.0, 1.0, 2.0], warmup.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        var accuracy = warmup.GetProperty("accuracy");
        for (int i = 0; i < 3; i++)
        {
            // Each point is the paper mode's row with that w and its best row's τ.
            var row = rows.Single(row => row.GetProperty("warmup").GetInt32() == i && row.GetProperty("tau").GetDouble() == best.GetProperty("tau").GetDouble());
            var perSet = row.GetProperty("per_set").EnumerateArray().Select(s => s.GetProperty("accuracy").GetDouble()).ToArray();
            for (int s = 0; s < sets.Length; s++)
                Assert.Equal(perSet[s], accuracy.GetProperty(sets[s])[i].GetDouble());
            Assert.Equal(perSet.Average(), accuracy.GetProperty("mean")[i].GetDouble(), 12);
        }
    }

    [SharedDataFact]
    public void CalibrateSweepsTheVotesThresholdsForTheVoteOnlyAndTheOwnLabelWeightOnlyWithAMargin()
    {
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "3", "--count", "2",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--batch", "2", "--warmup", "1",
            "--selection", "paper,vote", "--poor-fit", "0,0.5", "--late-change-fit", "0.9,1",
            "--ambiguous-margin", "0,5", "--own-label-weight", "0.5,1", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var rows = json.RootElement.GetProperty("settings").EnumerateArray().ToArray();
        var paper = Assert.Single(rows, row => row.GetProperty("selection").GetString() == "paper");
        foreach (string field in new[] { "poor_fit", "late_change_fit", "ambiguous_margin", "own_label_weight" })
            Assert.Equal(JsonValueKind.Null, paper.GetProperty(field).ValueKind);
        static double? Weight(JsonElement row) => row.GetProperty("own_label_weight") is { ValueKind: JsonValueKind.Number } w ? w.GetDouble() : null;
        var vote = rows.Where(row => row.GetProperty("selection").GetString() == "vote")
            .Select(row => (row.GetProperty("poor_fit").GetDouble(), row.GetProperty("late_change_fit").GetDouble(),
                row.GetProperty("ambiguous_margin").GetDouble(), Weight(row))).ToList();
        var expected = from fp in new[] { 0, 0.5 } from fl in new[] { 0.9, 1 }
                       from own in new (double, double?)[] { (0, null), (5, 0.5), (5, 1) }
                       select (fp, fl, own.Item1, own.Item2);
        Assert.Equal(expected.ToHashSet(), vote.ToHashSet());
        Assert.Equal(vote.Count, vote.Distinct().Count());
    }

    [SharedDataFact]
    public void CalibrateSweepsTheSeedsAndQuorumsForTheVoteOnlyAndItsTwoTraceRowsAreWhatPurifyGives()
    {
        string[] common = ["--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "3", "--count", "2",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--batch", "2", "--warmup", "1", "--seed", "4", "--json"];
        var r = CliRunner.Run(["calibrate", .. common, "--selection", "paper,vote", "--seeds", "1,2", "--mark-quorum", "0,1,2"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var rows = json.RootElement.GetProperty("settings").EnumerateArray()
            .Select(row => (Selection: row.GetProperty("selection").GetString()!, Seeds: row.GetProperty("seeds").GetInt32(),
                Quorum: row.GetProperty("mark_quorum").ValueKind == JsonValueKind.Null ? 0 : row.GetProperty("mark_quorum").GetInt32(), Row: row)).ToArray();
        // A quorum of K or more asks all K: one row each for K = 1 and for K = 2 with q = 2, one more for K = 2 with q = 1.
        Assert.Equal(new[] { ("paper", 1, 0), ("vote", 1, 1), ("vote", 2, 1), ("vote", 2, 2) }, rows.Select(row => (row.Selection, row.Seeds, row.Quorum)).Order());

        foreach (int quorum in new[] { 1, 2 })
        {
            double accuracy = rows.Single(row => row.Seeds == 2 && row.Quorum == quorum).Row.GetProperty("per_set")[0].GetProperty("accuracy").GetDouble();
            var purify = CliRunner.Run(["purify", .. common, "--seeds", "2", "--mark-quorum", $"{quorum}", "--out", Path.Combine(_dir, $"purified-{quorum}.bin")]);
            Assert.True(purify.ExitCode == 0, purify.StdErr);
            using var purified = JsonDocument.Parse(purify.StdOut);
            Assert.Equal(accuracy, purified.RootElement.GetProperty("accuracy").GetDouble());
            Assert.Equal(2, purified.RootElement.GetProperty("options").GetProperty("seeds").GetInt32());
            Assert.Equal(quorum, purified.RootElement.GetProperty("options").GetProperty("mark_quorum").GetInt32());
            foreach (var image in purified.RootElement.GetProperty("images").EnumerateArray())
                Assert.Equal(image.GetProperty("marking_traces").GetInt32() < quorum, image.GetProperty("passed_through").GetBoolean());
        }
    }

    [SharedDataFact]
    public void CalibrateGivesTheNetworkByIterationsTableAndASmallerTReadsTheLongestTracesAsPurifyRunsIt()
    {
        using var plots = new TempDir();
        string[] common = ["--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--clean", SharedData.Cifar10Batch,
            "--offset", "3", "--count", "2", "--batch", "2", "--warmup", "1", "--seed", "4", "--json"];
        var r = CliRunner.Run(["calibrate", .. common, "--preset", "small,medium", "--iterations", "20,12", "--snapshots", "5", "--plot", plots.Path]);

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        var rows = root.GetProperty("settings").EnumerateArray()
            .ToDictionary(row => (row.GetProperty("preset").GetString()!, row.GetProperty("iterations").GetInt32()));
        // T = 20 with 5 snapshots is an interval of 4 iterations: T = 12 reads the first 3.
        Assert.Equal(new[] { ("medium", 12), ("medium", 20), ("small", 12), ("small", 20) }, rows.Keys.Order());
        foreach (var ((_, t), row) in rows)
            Assert.Equal(t / 4, row.GetProperty("snapshots").GetInt32());
        var cells = root.GetProperty("network_by_iterations").EnumerateArray().ToArray();
        Assert.Equal(new[] { ("small", 12), ("small", 20), ("medium", 12), ("medium", 20) },
            cells.Select(c => (c.GetProperty("network").GetString()!, c.GetProperty("iterations").GetInt32())));
        foreach (var cell in cells)
            Assert.Equal(rows[(cell.GetProperty("network").GetString()!, cell.GetProperty("iterations").GetInt32())].GetProperty("mean_accuracy").GetDouble(),
                cell.GetProperty("mean_accuracy").GetDouble());
        Assert.Equal("calibrate-network-vs-iterations.png", root.GetProperty("network_figure").GetString());
        Assert.Contains("calibrate-vote-vs-iterations.png", Directory.GetFiles(plots.Path).Select(Path.GetFileName));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(plots.Path, "calibrate-network-vs-iterations.png"))[..4]);
        Assert.Contains("Table 3", r.StdErr + r.StdOut);

        // The T = 12 rows are what purify computes with T = 12 and its 3 snapshots.
        foreach (string preset in new[] { "small", "medium" })
        {
            var purify = CliRunner.Run(["purify", .. common, "--preset", preset, "--iterations", "12", "--snapshots", "3", "--out", Path.Combine(_dir, $"p-{preset}.bin")]);
            Assert.True(purify.ExitCode == 0, purify.StdErr);
            using var purified = JsonDocument.Parse(purify.StdOut);
            var set = rows[(preset, 12)].GetProperty("per_set")[0];
            Assert.Equal(set.GetProperty("accuracy").GetDouble(), purified.RootElement.GetProperty("accuracy").GetDouble());
            Assert.Equal(set.GetProperty("ssim").GetDouble(), purified.RootElement.GetProperty("ssim").GetDouble(), 6);   // purify averages in float32
        }
    }

    [SharedDataFact]
    public void CalibrateRejectsAnIterationCountOffTheSnapshotInterval()
    {
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2",
            "--preset", "small", "--iterations", "20,12", "--snapshots", "4", "--warmup", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--iterations 12 is not a multiple of the snapshot interval 5", r.StdErr);
    }

    [SharedDataFact]
    public void CalibrateRejectsABadGrid()
    {
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2",
            "--snapshots", "4", "--iterations", "20", "--warmup", "0,x", "--pairs", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--warmup", r.StdErr);
    }

    [SharedDataFact]
    public void CalibrateSweepsTheTraceRegularisationWithOneSetOfTracesPerValue()
    {
        var r = CliRunner.Run("calibrate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "7", "--count", "2",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--horizon", "1", "--batch", "2", "--warmup", "1", "--pairs", "1",
            "--input-noise", "0,1/20", "--output-averaging", "0,0.9", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var rows = json.RootElement.GetProperty("settings").EnumerateArray()
            .Select(row => (row.GetProperty("input_noise").GetDouble(), row.GetProperty("output_averaging").GetDouble())).ToHashSet();
        Assert.Equal(new HashSet<(double, double)> { (0, 0), (0, 0.9), (0.05, 0), (0.05, 0.9) }, rows);
    }

    [SharedDataFact]
    public void PurifyReportsTheTraceRegularisationItRanWith()
    {
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--horizon", "1", "--warmup", "1", "--input-noise", "1/20", "--output-averaging", "0.9",
            "--json", "--out", Path.Combine(_dir, "p.bin"));

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var options = json.RootElement.GetProperty("options");
        Assert.Equal(0.05, options.GetProperty("input_noise").GetDouble(), 12);
        Assert.Equal(0.9, options.GetProperty("output_averaging").GetDouble());
    }

    [SharedDataFact]
    public void PurifyReportsOneTraceAndNoMarkingQuorumOutsideTheVote()
    {
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "1",
            "--preset", "small", "--iterations", "20", "--snapshots", "4", "--warmup", "1", "--selection", "paper", "--seeds", "2", "--mark-quorum", "1",
            "--json", "--out", Path.Combine(_dir, "p.bin"));

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var options = json.RootElement.GetProperty("options");
        Assert.Equal(1, options.GetProperty("seeds").GetInt32());
        Assert.Equal(JsonValueKind.Null, options.GetProperty("mark_quorum").ValueKind);
    }

    [Fact]
    public void BenchTimesEveryBatchSizeAsOneJsonObject()
    {
        var r = CliRunner.Run("bench", "--preset", "small", "--size", "16", "--iterations", "10", "--batch", "1,2", "--horizon", "0.5", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.True(root.GetProperty("mflop_per_image_iteration").GetDouble() > 0);
        Assert.True(root.GetProperty("reference_matmul_gflops").GetDouble() > 0);
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { 1, 2 }, rows.Select(row => row.GetProperty("batch").GetInt32()));
        foreach (var row in rows)
        {
            double perIteration = row.GetProperty("ms_per_iteration").GetDouble();
            Assert.True(perIteration > 0);
            Assert.Equal(perIteration / row.GetProperty("batch").GetInt32(), row.GetProperty("ms_per_image_iteration").GetDouble(), 9);
            Assert.True(row.GetProperty("gflops").GetDouble() > 0);
            Assert.True(row.GetProperty("seconds_per_image_at_1000_with_horizon").GetDouble() > 0);   // timed with the stop at H = 0.5
        }
        Assert.Equal(0.5, root.GetProperty("horizon").GetDouble());
    }

    [Fact]
    public void BenchRejectsAHorizonOutsideZeroToOne()
    {
        var r = CliRunner.Run("bench", "--horizon", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--horizon", r.StdErr);
    }

    [Fact]
    public void BenchRejectsABadBatchList()
    {
        var r = CliRunner.Run("bench", "--batch", "1,0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--batch", r.StdErr);
    }

    [SharedDataTheory]
    [InlineData("jpeg", "jpeg")]
    [InlineData("bit-depth", "bit-depth")]
    [InlineData("median", "median")]
    [InlineData("dipdefend", "dipdefend")]
    [InlineData("none", "identity")]
    public void PurifyRunsEveryBaselineAndWritesItsImages(string defense, string name)
    {
        string output = Path.Combine(_dir, $"{defense}.bin");
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--clean", SharedData.Cifar10Batch,
            "--count", "2", "--defense", defense, "--dipdefend-iterations", "20", "--json", "--out", output);

        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.Equal(name, root.GetProperty("defense").GetString());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("ssim").GetDouble(), -1, 1);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("crossing_share").ValueKind);   // the DIP purifier's diagnostics only
        using var purified = DatasetReader.Read(output);
        Assert.Equal(2, purified.Count);
        if (defense == "none")
        {
            using var clean = DatasetReader.Read(SharedData.Cifar10Batch);
            using var part = clean.Slice(0, 2);
            Assert.True(purified.Images.equal(part.Images).all().item<bool>(), "no defense must return the input");
        }
    }

    [SharedDataFact]
    public void PurifyRejectsAnUnknownDefense()
    {
        var r = CliRunner.Run("purify", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2",
            "--defense", "magic", "--out", Path.Combine(_dir, "p.bin"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--defense must be one of", r.StdErr);
    }
}
