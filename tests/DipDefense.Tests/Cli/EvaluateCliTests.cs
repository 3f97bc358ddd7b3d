using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DipDefense.Dip;
using DipDefense.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace DipDefense.Tests.Cli;

/// <summary>
/// <c>dipdefense evaluate</c>, <c>merge</c> and <c>report</c> at tiny settings (4 images, a 20-iteration DIP): resume
/// after a killed run, shards merged against one run, a changed setting refused, conflicting rows refused.
/// </summary>
public sealed class EvaluateCliTests : IDisposable
{
    readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    string Store(string name) => Path.Combine(_temp.Path, name);

    /// <summary>The tiny run: images 10–13 (or the first <paramref name="count"/> of them), three defenses, three attacks.</summary>
    static string[] Evaluate(string store, string[] extra, int count = 4) =>
    [
        "evaluate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "10", "--count", count.ToString(),
        "--defense", "none,jpeg,decision-dip", "--attack", "clean,fgsm:8/255,pgd:2/255",
        "--preset", "small", "--iterations", "20", "--snapshots", "4", "--horizon", "1", "--warmup", "1", "--pairs", "2", "--seed", "7",
        "--store", store, "--json", .. extra,
    ];

    const int RowsPerImage = 3 * 3;

    /// <summary>Every row of a store without its timings, in key order: what two runs of one setting must agree on.</summary>
    static string[] Rows(string store)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT defense, attack, image, true_label, adversarial_label, purified_label, ssim, l2, linf, queries, seed, settings_hash FROM rows ORDER BY defense, attack, image";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return [.. rows];
    }

    /// <summary>The one value that <paramref name="query"/> selects from a store, read-only.</summary>
    static T StoreScalar<T>(string store, string query)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = query;
        return (T)command.ExecuteScalar()!;
    }

    static long CommandCount(string store) => StoreScalar<long>(store, "SELECT COUNT(*) FROM commands");

    static int RowCount(string store)
    {
        try
        {
            return File.Exists(store) ? Rows(store).Length : 0;
        }
        catch (SqliteException)
        {
            return 0;   // the table does not exist yet
        }
    }

    static JsonElement Json(ProcessRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement.Clone();
    }

    [SharedDataFact]
    public void OneRunHasARowPerDefenseAttackAndImageAndARerunSkipsThem()
    {
        string store = Store("one.db");
        var first = Json(CliRunner.Run(Evaluate(store, [])));
        Assert.Equal(4, first.GetProperty("images_evaluated").GetInt32());
        Assert.Equal(4 * RowsPerImage, first.GetProperty("rows").GetInt32());
        var rows = Rows(store);
        Assert.Equal(4 * RowsPerImage, rows.Length);
        Assert.Equal(new[] { 10, 11, 12, 13 }, rows.Select(r => int.Parse(r.Split('|')[2])).Distinct().Order());
        Assert.All(rows.Select(r => r.Split('|')), f => Assert.Equal(7 + long.Parse(f[2]), long.Parse(f[10])));   // the image's seed: --seed + index

        var again = Json(CliRunner.Run(Evaluate(store, [])));
        Assert.Equal(0, again.GetProperty("images_evaluated").GetInt32());
        Assert.Equal(4, again.GetProperty("images_skipped").GetInt32());
        Assert.Equal(rows, Rows(store));
        Assert.Equal(1, CommandCount(store));   // the rerun wrote nothing, so it is not among the store's commands
    }

    [SharedDataFact]
    public void ResumeAfterAKilledRunGivesTheSameStoreAsAnUninterruptedRun()
    {
        string whole = Store("whole.db"), resumed = Store("resumed.db");
        Json(CliRunner.Run(Evaluate(whole, [])));

        // Kill the second run as soon as its first image is committed.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])[CliRunner.ToolPath(), .. Evaluate(resumed, [])])
            info.ArgumentList.Add(a);
        using (var process = Process.Start(info)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (RowCount(resumed) < RowsPerImage && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(20);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        int kept = RowCount(resumed);
        Assert.True(kept >= RowsPerImage && kept < 4 * RowsPerImage, $"the killed run should have stored some but not all images; it stored {kept} rows");
        Assert.Equal(0, kept % RowsPerImage);   // whole images only

        var rerun = Json(CliRunner.Run(Evaluate(resumed, [])));
        Assert.Equal(4 - kept / RowsPerImage, rerun.GetProperty("images_evaluated").GetInt32());
        Assert.Equal(Rows(whole), Rows(resumed));
    }

    [SharedDataFact]
    public void TwoShardsMergedEqualOneRun()
    {
        string whole = Store("whole.db"), first = Store("shard0.db"), second = Store("shard1.db"), merged = Store("merged.db");
        Json(CliRunner.Run(Evaluate(whole, [])));
        Assert.Equal(2, Json(CliRunner.Run(Evaluate(first, ["--shard", "0/2"]))).GetProperty("images_evaluated").GetInt32());
        Assert.Equal(2, Json(CliRunner.Run(Evaluate(second, ["--shard", "1/2"]))).GetProperty("images_evaluated").GetInt32());

        var merge = Json(CliRunner.Run("merge", first, second, "--out", merged, "--json"));
        Assert.Equal(4 * RowsPerImage, merge.GetProperty("rows").GetInt32());
        Assert.Equal(Rows(whole), Rows(merged));
        Assert.NotEqual(Rows(first), Rows(second));

        string report = Path.Combine(_temp.Path, "report");
        var json = Json(CliRunner.Run("report", "--store", merged, "--out", report, "--json"));
        Assert.True(File.Exists(Path.Combine(report, "report.md")));
        Assert.Equal(json.GetRawText(), JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json"))).RootElement.GetRawText());
        var accuracy = json.GetProperty("tables")[0];
        Assert.Equal(["clean", "fgsm:8/255", "pgd:2/255", "Avg", "worst case"], accuracy.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["none", "jpeg", "decision-dip"], accuracy.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("defense").GetString()));
        var none = accuracy.GetProperty("rows")[0].GetProperty("cells");
        Assert.Equal(4, none[0].GetProperty("count").GetInt32());
        Assert.Equal(12, none[3].GetProperty("count").GetInt32());
        Assert.Equal(3, json.GetProperty("store_commands").GetArrayLength());   // two shards and the merge
        Assert.Equal(["accuracy", "ssim", "seconds"], json.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("measure").GetString()));
    }

    [SharedDataFact]
    public void DefenseAwareAttacksAreCraftedAgainstEachDefense()
    {
        string store = Store("aware.db");
        var r = CliRunner.Run("evaluate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--offset", "10", "--count", "1",
            "--defense", "none,jpeg", "--attack", "pgd:8/255,apgd:8/255,bpda-pgd:8/255,bpda-apgd:4/255,hsj:30", "--seed", "7", "--store", store, "--json");
        Json(r);
        var rows = Rows(store).Select(row => row.Split('|')).ToDictionary(f => (f[0], f[1]));
        string[] Measured(string defense, string attack) => rows[(defense, attack)][4..9];   // adversarial label, purified label, ssim, l2, linf

        // Through the identity, BPDA is bit-for-bit the plain attack with the same seed.
        Assert.Equal(Measured("none", "pgd:8/255"), Measured("none", "bpda-pgd:8/255"));
        // Against JPEG it is another image, still inside the budget.
        Assert.NotEqual(rows[("jpeg", "pgd:8/255")][7], rows[("jpeg", "bpda-pgd:8/255")][7]);
        double Linf(string defense, string attack) => double.Parse(rows[(defense, attack)][8], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(Linf("jpeg", "bpda-pgd:8/255"), 0, 8.0 / 255 + 1e-6);
        Assert.InRange(Linf("jpeg", "bpda-apgd:4/255"), 0, 4.0 / 255 + 1e-6);
        Assert.InRange(Linf("none", "apgd:8/255"), 0, 8.0 / 255 + 1e-6);
        // The white-box attack is shared; HopSkipJump queries the defended victim within its budget (plus the 8-bit rounding's queries).
        Assert.Equal(rows[("none", "pgd:8/255")][7], rows[("jpeg", "pgd:8/255")][7]);
        foreach (string defense in (string[])["none", "jpeg"])
            Assert.InRange(long.Parse(rows[(defense, "hsj:30")][9]), 2, 30 + 20);

        // The report adds the accuracy within each L2 radius for the minimum-norm column.
        var report = Json(CliRunner.Run("report", "--store", store, "--out", Path.Combine(_temp.Path, "report"), "--json"));
        var tables = report.GetProperty("tables").EnumerateArray().ToArray();
        Assert.Equal(["Accuracy within L2 radius 0.25", "Accuracy within L2 radius 0.5", "Accuracy within L2 radius 1"],
            tables.Skip(3).Select(t => t.GetProperty("title").GetString()));
        Assert.Equal(["hsj:30", "Avg", "worst case"], tables[3].GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
    }

    [SharedDataFact]
    public void AnSsimOfSixteenImagesLogsNothingAboutNnpack()
    {
        // JPEG on clean images with the ONNX Runtime victim: the SSIM is the only libtorch convolution (docs/platform.md#nnpack).
        var r = CliRunner.Run("evaluate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "16",
            "--defense", "jpeg", "--attack", "clean", "--store", Store("nnpack.db"), "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.DoesNotContain("NNPACK", r.StdErr);
    }

    [SharedDataFact]
    public void StoresThatDifferOnlyInTheirDefensesReportTogetherAndOthersAreRefused()
    {
        static string[] With(string[] args, string defenses, params string[] extra) =>
            [.. args.Select(a => a == "none,jpeg,decision-dip" ? defenses : a), .. extra];
        string dip = Store("dip.db"), baselines = Store("baselines.db"), otherJpeg = Store("jpeg50.db"), otherAttacks = Store("clean.db");
        Json(CliRunner.Run(Evaluate(dip, [], count: 2)));
        Json(CliRunner.Run(With(Evaluate(baselines, [], count: 2), "none,median,jpeg")));
        Json(CliRunner.Run(With(Evaluate(otherJpeg, [], count: 2), "jpeg", "--quality", "50")));
        Json(CliRunner.Run([.. With(Evaluate(otherAttacks, [], count: 2), "median").Select(a => a == "clean,fgsm:8/255,pgd:2/255" ? "clean" : a)]));

        string report = Path.Combine(_temp.Path, "together");
        var json = Json(CliRunner.Run("report", "--store", dip, "--store", baselines, "--out", report, "--json"));
        var accuracy = json.GetProperty("tables")[0];
        Assert.Equal(["none", "jpeg", "decision-dip", "median"], accuracy.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("defense").GetString()));
        foreach (var row in accuracy.GetProperty("rows").EnumerateArray())
            Assert.Equal(2, row.GetProperty("cells")[0].GetProperty("count").GetInt32());   // the rows both stores hold count once
        Assert.Equal([dip, baselines], json.GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("store").GetString()));
        Assert.Equal(2, json.GetProperty("store_commands").GetArrayLength());
        Assert.Equal(0, json.GetProperty("disagreeing_rows").GetArrayLength());
        // The defenses they share agree row for row: a single store's report has the same cells for them.
        var alone = Json(CliRunner.Run("report", "--store", baselines, "--out", Path.Combine(_temp.Path, "alone"), "--json")).GetProperty("tables")[0];
        Assert.Equal(alone.GetProperty("rows")[1].GetRawText(), accuracy.GetProperty("rows")[3].GetRawText());   // median

        // Where two stores hold a row with different values, the first store's row is kept and the row is listed.
        string altered = Store("altered.db");
        File.Copy(baselines, altered);
        using (var connection = new SqliteConnection($"Data Source={altered};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE rows SET purified_label = CASE WHEN purified_label = true_label THEN (true_label + 1) % 10 ELSE true_label END "
                + "WHERE defense = 'jpeg' AND attack = 'clean' AND image = 10";   // right ↔ wrong
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        string disagreeing = Path.Combine(_temp.Path, "disagreeing");
        var kept = Json(CliRunner.Run("report", "--store", dip, "--store", altered, "--out", disagreeing, "--json"));
        Assert.Equal(["(jpeg, clean, image 10)"], kept.GetProperty("disagreeing_rows").EnumerateArray().Select(r => r.GetString()));
        static string Jpeg(JsonElement report) =>
            report.GetProperty("tables")[0].GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("defense").GetString() == "jpeg").GetRawText();
        Assert.Equal(Jpeg(json), Jpeg(kept));   // dip.db's rows
        Assert.Contains("1 row(s) held by several stores differ", File.ReadAllText(Path.Combine(disagreeing, "report.md")));
        var reversed = Json(CliRunner.Run("report", "--store", altered, "--store", dip, "--out", Path.Combine(_temp.Path, "reversed"), "--json"));
        Assert.NotEqual(Jpeg(json), Jpeg(reversed));   // altered.db's rows

        CliAssert.OneLineError(CliRunner.Run("report", "--store", dip, "--store", otherJpeg, "--out", report), "the defense 'jpeg' has other settings");
        CliAssert.OneLineError(CliRunner.Run("report", "--store", dip, "--store", otherAttacks, "--out", report), "attacks differ");
        CliAssert.OneLineError(CliRunner.Run("merge", dip, baselines, "--out", Store("merged.db")), "only stores of one setting merge");
    }

    [SharedDataFact]
    public void TheReportDrawsAnAttackHeldAtSeveralBudgets()
    {
        string store = Store("budgets.db"), report = Path.Combine(_temp.Path, "report");
        Json(CliRunner.Run("evaluate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "2",
            "--defense", "none,jpeg", "--attack", "clean,fgsm:8/255,fgsm:2/255", "--store", store, "--json"));
        var json = Json(CliRunner.Run("report", "--store", store, "--out", report, "--json"));

        var figure = Assert.Single(json.GetProperty("figures").EnumerateArray());
        Assert.Equal("fgsm", figure.GetProperty("attack").GetString());
        Assert.Equal("fgsm-vs-eps.png", figure.GetProperty("file").GetString());
        Assert.True(File.Exists(Path.Combine(report, "fgsm-vs-eps.png")));
        var none = figure.GetProperty("curves")[0];
        Assert.Equal("none", none.GetProperty("defense").GetString());
        Assert.Equal([2.0, 8.0], none.GetProperty("strengths").EnumerateArray().Select(v => v.GetDouble()));
        // The points are Table 1's cells.
        var table = json.GetProperty("tables")[0];
        var cells = table.GetProperty("rows")[0].GetProperty("cells");
        var columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(cells[columns.IndexOf("fgsm:2/255")].GetProperty("value").GetDouble(), none.GetProperty("accuracy")[0].GetDouble());
        Assert.Contains("![fgsm: accuracy against ε (/255)](fgsm-vs-eps.png)", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [SharedDataFact]
    public void TheReportDrawsBpdaAgainstItsIterations()
    {
        string store = Store("steps.db"), report = Path.Combine(_temp.Path, "report");
        Json(CliRunner.Run("evaluate", "--model", SharedData.ResNet20, "--data", SharedData.Cifar10Batch, "--count", "1",
            "--defense", "none", "--attack", "bpda-pgd:8/255:3,bpda-pgd:8/255:1", "--store", store, "--json"));
        var json = Json(CliRunner.Run("report", "--store", store, "--out", report, "--json"));

        var figure = Assert.Single(json.GetProperty("figures").EnumerateArray());
        Assert.Equal("bpda-pgd-vs-steps.png", figure.GetProperty("file").GetString());
        Assert.Equal([1.0, 3.0], figure.GetProperty("curves")[0].GetProperty("strengths").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Theory]
    [InlineData("bpda-pgd:8/255:0", "positive number of steps")]
    [InlineData("hsj:lots", "positive query budget")]
    [InlineData("cw:8/255", "cw takes no argument")]
    [InlineData("magic", "must be one of")]
    [InlineData("pgd:8", "must lie in [0, 1]")]
    [InlineData("fgsm:-1/255", "must lie in [0, 1]")]
    [InlineData("bpda-pgd:1.5:10", "must lie in [0, 1]")]
    public void ABadAttackColumnIsRefusedBeforeTheModelIsLoaded(string column, string message)
    {
        var r = CliRunner.Run("evaluate", "--model", Path.Combine(_temp.Path, "missing.onnx"), "--data", Path.Combine(_temp.Path, "missing.bin"),
            "--attack", column, "--store", Store("x.db"));
        CliAssert.OneLineError(r, $"--attack '{column}'", message);
        Assert.False(File.Exists(Store("x.db")));
    }

    [SharedDataFact]
    public void AStoreThatIsNotAResultStoreIsRefusedAndLeftAsItWas()
    {
        string store = Store("notes.db");
        File.WriteAllText(store, "not a database, but some notes that are long enough to fill the header of a SQLite file and more");
        var r = CliRunner.Run(Evaluate(store, [], count: 1));
        CliAssert.OneLineError(r, store, "is not a result store");
        Assert.StartsWith("not a database", File.ReadAllText(store));
    }

    [Fact]
    public void ReportAndMergeRefuseAFileThatIsNotAResultStore()
    {
        string notes = Store("notes.db");
        File.WriteAllText(notes, "not a database, but some notes that are long enough to fill the header of a SQLite file and more");
        CliAssert.OneLineError(CliRunner.Run("report", "--store", notes, "--out", Path.Combine(_temp.Path, "report")), notes, "is not a result store");
        CliAssert.OneLineError(CliRunner.Run("merge", notes, "--out", Store("all.db")), notes, "is not a result store");
        Assert.False(File.Exists(Store("all.db")));
    }

    [SharedDataFact]
    public void ARerunWithAnotherSettingIsRefusedAndLeavesTheStoreAsItWas()
    {
        string store = Store("one.db");
        Json(CliRunner.Run(Evaluate(store, [], count: 1)));
        var rows = Rows(store);

        var r = CliRunner.Run(Evaluate(store, ["--quality", "50"], count: 1));
        CliAssert.OneLineError(r, "--store", "other settings", "defenses");
        Assert.Equal(rows, Rows(store));
    }

    [SharedDataFact]
    public void FitThresholdsAreSettingsOfTheStoreOnlyWhenOnSoThatOlderStoresAcceptARerunWithThemOff()
    {
        // A store written before φ_p, φ_l, μ, φ_a and K existed has none of them (nor λ, which μ governs) in its settings: a
        // run with them off writes the same.
        static string[] Settings(double poorFit, double ambiguousMargin, int seeds = 1, double ambiguousFit = 0) =>
            ["--poor-fit", FormattableString.Invariant($"{poorFit}"), "--late-change-fit", "1", "--ambiguous-margin", FormattableString.Invariant($"{ambiguousMargin}"),
             "--ambiguous-fit", FormattableString.Invariant($"{ambiguousFit}"), "--seeds", FormattableString.Invariant($"{seeds}")];
        string store = Store("fit.db");
        Json(CliRunner.Run(Evaluate(store, Settings(0, 0), count: 1)));
        string settings = StoredSettings(store);
        Assert.Contains("\"gate_threshold\"", settings);
        foreach (string field in new[] { "poor_fit", "late_change_fit", "ambiguous_margin", "own_label_weight", "ambiguous_fit", "seeds", "traces" })
            Assert.DoesNotContain(field, settings);
        var rows = Rows(store);

        // The paper's selection reads one trace whatever --seeds says (the default is 2): its store records none.
        string paper = Store("paper.db");
        Json(CliRunner.Run(Evaluate(paper, ["--selection", "paper", "--seeds", "2"], count: 1)));
        Assert.DoesNotContain("seeds", StoredSettings(paper));

        foreach (string[] on in new[] { Settings(0.98, 0), Settings(0, 20), Settings(0, 0, seeds: 2) })
        {
            var r = CliRunner.Run(Evaluate(store, on, count: 1));
            CliAssert.OneLineError(r, "--store", "other settings", "defenses");
            Assert.Equal(rows, Rows(store));
        }

        // A store made with the margin before the fit condition existed (φ_a not recorded) refuses a run that sets φ_a.
        string margin = Store("margin.db");
        Json(CliRunner.Run(Evaluate(margin, Settings(0, 20), count: 1)));
        Assert.Contains("ambiguous_margin", StoredSettings(margin));
        Assert.DoesNotContain("ambiguous_fit", StoredSettings(margin));
        CliAssert.OneLineError(CliRunner.Run(Evaluate(margin, Settings(0, 20, ambiguousFit: 0.975), count: 1)), "--store", "other settings", "defenses");
    }

    [SharedDataFact]
    public void TheDipDefensesRecordTheTraceArithmeticSoThatAStoreNeverMixesTwoVersionsOfTheKernels()
    {
        string store = Store("arithmetic.db");
        string[] args = Evaluate(store, ["--dipdefend-iterations", "5"], count: 1);
        args[Array.IndexOf(args, "--defense") + 1] = "jpeg,decision-dip,dipdefend";
        Json(CliRunner.Run(args));
        var defenses = JsonNode.Parse(StoredSettings(store))!["defenses"]!.AsArray();
        Assert.Equal(new[] { "jpeg", "decision-dip", "dipdefend" }, defenses.Select(d => (string)d!["name"]!));
        Assert.Null(defenses[0]!["settings"]!["trace_arithmetic"]);
        Assert.All(defenses.Skip(1), d => Assert.Equal(DipTraceRunner.ArithmeticVersion, (int)d!["settings"]!["trace_arithmetic"]!));
    }

    static string StoredSettings(string store) => StoreScalar<string>(store, "SELECT value FROM run WHERE key = 'settings'");

    [SharedDataFact]
    public void MergingStoresThatDisagreeOnARowIsAnErrorNamingTheRow()
    {
        string first = Store("a.db"), second = Store("b.db"), merged = Store("merged.db");
        Json(CliRunner.Run(Evaluate(first, [], count: 1)));
        File.Copy(first, second);
        using (var connection = new SqliteConnection($"Data Source={second};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE rows SET purified_label = (purified_label + 1) % 10 WHERE defense = 'jpeg' AND attack = 'clean'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var r = CliRunner.Run("merge", first, second, "--out", merged);
        CliAssert.OneLineError(r, "disagree", "(jpeg, clean, image 10)");
        Assert.False(File.Exists(merged));
    }
}
