using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DipDefense.Data;
using DipDefense.Defense;
using DipDefense.Dip;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DipDefense.Cli.Commands;

/// <summary>
/// <c>dipdefense calibrate</c>: the sweep that chooses τ, w, N, η and G (docs/method.md). The DIP traces of every
/// data set are run once; every setting is then evaluated on them (<see cref="PurifierSweep"/>).
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var victim = new VictimOptions();
        var device = new DeviceOption();
        var defaults = new PurifierOptions();
        var data = new Option<string[]>("--data")
        {
            Description = "An image set to purify; give it once per set (e.g. clean, PGD, C&W, DDN files), all holding the same images in the same order.",
            Required = true,
        };
        var offset = new Option<int>("--offset") { Description = "Index of the first image to use.", DefaultValueFactory = _ => 0 };
        var count = new Option<int?>("--count") { Description = "Number of images to use (default: all after --offset)." };
        var clean = new Option<string?>("--clean") { Description = "The clean images the sets were made from (same order): adds SSIM against them and checks the labels." };
        var preset = new Option<string>("--preset") { Description = $"Comma-separated DIP networks: {string.Join(", ", DipNetworkConfig.PresetNames)}; one set of traces per network.", DefaultValueFactory = _ => "medium" };
        var iterations = new Option<string>("--iterations") { Description = "Comma-separated DIP iterations T: the traces run the largest T once, and a smaller T reads their first snapshots, as a trace of that T gives them.", DefaultValueFactory = _ => Format(defaults.Trace.Iterations) };
        var snapshots = new Option<int>("--snapshots") { Description = "Snapshots M along a trace of the largest T (must divide it); a smaller T has as many as fit at the same interval.", DefaultValueFactory = _ => defaults.Trace.Snapshots };
        var batch = new Option<int>("--batch") { Description = "Images traced together by one batched DIP computation (speed only; results do not depend on it).", DefaultValueFactory = _ => defaults.BatchSize };
        var seed = new Option<long>("--seed") { Description = "DIP seed; image i (counted from --offset) uses seed + i, as in purify.", DefaultValueFactory = _ => defaults.Trace.Seed };
        var tau = new Option<string>("--tau") { Description = "Comma-separated SSIM thresholds τ.", DefaultValueFactory = _ => Format(defaults.SsimThreshold) };
        var warmUp = new Option<string>("--warmup") { Description = "Comma-separated warm-ups w (snapshots).", DefaultValueFactory = _ => Format(defaults.WarmUp) };
        var stableRun = new Option<string>("--stable-run") { Description = "Comma-separated k: a crossing counts only when the label it leaves was held for k snapshots (1: the paper).", DefaultValueFactory = _ => Format(defaults.StableRun) };
        var pairs = new Option<string>("--pairs") { Description = "Comma-separated pair counts N.", DefaultValueFactory = _ => Format(defaults.Pairs) };
        var eta = new Option<string>("--eta") { Description = "Comma-separated push steps η.", DefaultValueFactory = _ => Format(defaults.Eta) };
        var grid = new Option<string>("--grid") { Description = "Comma-separated grid sections G.", DefaultValueFactory = _ => Format(defaults.GridSections) };
        var inputNoise = new Option<string>("--input-noise") { Description = "Comma-separated input-noise std σ_z of the DIP trace, numbers or fractions such as 1/30 (0: off); one set of traces per value.", DefaultValueFactory = _ => Format(defaults.Trace.InputNoiseStd) };
        var outputAveraging = new Option<string>("--output-averaging") { Description = "Comma-separated output averaging β of the DIP trace (0: off; the official DIP uses 0.99); one set of traces per value.", DefaultValueFactory = _ => Format(defaults.Trace.OutputAveraging) };
        var noiseFree = new Option<string>("--noise-free-snapshots") { Description = "Comma-separated false/true: snapshots of the unperturbed input z (an extra forward pass) instead of the perturbed one; one set of traces per value.", DefaultValueFactory = _ => defaults.Trace.NoiseFreeSnapshots ? "true" : "false" };
        var selection = new Option<string>("--selection") { Description = "Comma-separated selection modes: paper (Eq. 3–7 for every input), support-gate (inputs whose own label the trace supports pass through), vote (inputs the trace marks as adversarial get the class their later snapshots vote for).", DefaultValueFactory = _ => SelectionName(defaults.Selection) };
        var gateThreshold = new Option<string>("--gate-threshold") { Description = "Comma-separated gate thresholds θ (support-gate and vote).", DefaultValueFactory = _ => Format(defaults.GateThreshold) };
        var gateWindow = new Option<string>("--gate-window") { Description = "Comma-separated support-gate windows from-to, as shares of the trace (0.1-0.3: snapshots 20 to 60 of 200; support-gate and vote).", DefaultValueFactory = _ => WindowName(defaults) };
        var poorFit = new Option<string>("--poor-fit") { Description = "Comma-separated poor-fit thresholds φ_p (vote): an input whose last snapshot has SSIM below it to the input is marked (0: off).", DefaultValueFactory = _ => Format(defaults.PoorFit) };
        var lateChangeFit = new Option<string>("--late-change-fit") { Description = "Comma-separated late-change fits φ_l (vote): a late label change marks an input only when its last snapshot's SSIM to it is below it (1: no condition).", DefaultValueFactory = _ => Format(defaults.LateChangeFit) };
        var ambiguousMargin = new Option<string>("--ambiguous-margin") { Description = "Comma-separated ambiguous margins μ (vote): a marked input whose victim logit margin is below it votes with its own label too (0: off).", DefaultValueFactory = _ => Format(defaults.AmbiguousMargin) };
        var ownLabelWeight = new Option<string>("--own-label-weight") { Description = "Comma-separated weights λ of an ambiguous input's own label in its vote (vote; 0: left out).", DefaultValueFactory = _ => Format(defaults.OwnLabelWeight) };
        var ambiguousFit = new Option<string>("--ambiguous-fit") { Description = "Comma-separated ambiguous fits φ_a (vote): an input below the margin is ambiguous only when the mean SSIM of its traces' last snapshots to it is at least this (0: no condition).", DefaultValueFactory = _ => Format(defaults.AmbiguousFit) };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated traces per image K (vote): trace k of image i has seed --seed + 1000·k + i; the traces are run once for the largest K.", DefaultValueFactory = _ => Format(defaults.Seeds) };
        var markQuorum = new Option<string>("--mark-quorum") { Description = "Comma-separated marking quorums q (vote): an input is marked when at least q of its K traces mark it (0: all K); a q that is not below K is evaluated once, as 0.", DefaultValueFactory = _ => Format(defaults.MarkQuorum) };
        var horizon = new Option<string>("--horizon") { Description = "Comma-separated horizons H: the share of the trace the reconstruction reads (1: all of it).", DefaultValueFactory = _ => Format(defaults.Horizon) };
        var settledFit = new Option<string>("--settled-fit") { Description = "Comma-separated settled fits φ_s of the early stop: a trace is cut after the first snapshot past w and the gate window that fits the input with SSIM at least this while every snapshot from w on carries the input's label (0: off).", DefaultValueFactory = _ => Format(defaults.SettledFit) };
        var markedHorizon = new Option<string>("--marked-horizon") { Description = "Comma-separated marked horizons H_m of the early stop (vote): a trace that has marked its input by this share of the trace is cut there (1: off).", DefaultValueFactory = _ => Format(defaults.MarkedHorizon) };
        var traceCache = new Option<string?>("--trace-cache") { Description = "Folder that keeps the DIP traces (keyed by inputs and trace settings): a rerun reuses them instead of recomputing." };
        var plot = new Option<string?>("--plot") { Description = "Folder for the sensitivity figures (the paper's Fig. 6/7): per selection mode, the accuracy on each set against every setting the sweep varied, the others at that mode's best setting (created if absent; its parent must exist)." };
        var json = new Option<bool>("--json") { Description = "Write one JSON object to stdout (progress stays on stderr)." };

        var command = new Command("calibrate", "Sweep the purifier's settings (τ, w, N, η, G) on DIP traces computed once per image set; rank them by mean accuracy.");
        victim.AddTo(command);
        foreach (var option in new Option[] { data, offset, count, clean, preset, iterations, snapshots, batch, seed, inputNoise, outputAveraging, noiseFree, tau, warmUp, stableRun, pairs, eta, grid, selection, gateThreshold, gateWindow, poorFit, lateChangeFit, ambiguousMargin, ownLabelWeight, ambiguousFit, seeds, markQuorum, horizon, settledFit, markedHorizon, traceCache, plot, device.Option, json })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var console = new Output(result.GetValue(json));
            string? cacheFolder = result.GetValue(traceCache) is { } cachePath ? OutputPath.Folder(cachePath, traceCache.Name) : null;
            string? plotFolder = result.GetValue(plot) is { } plotPath ? OutputPath.Folder(plotPath, plot.Name) : null;
            string[] presetNames = ParseList("--preset", result.GetValue(preset)!, (text, _) => text);
            var lengths = TraceLengths.Parse(ParseList("--iterations", result.GetValue(iterations)!, int.Parse), result.GetValue(snapshots));
            var trace = new DipTraceOptions
            {
                Iterations = lengths.Iterations,
                Snapshots = lengths.Snapshots,
                Seed = result.GetValue(seed),
            };
            var traces = (
                from network in presetNames.Select(DipNetworkConfig.FromName)
                from σ in ParseList("--input-noise", result.GetValue(inputNoise)!, (text, _) => Fraction.Parse(text, "--input-noise"))
                from β in ParseList("--output-averaging", result.GetValue(outputAveraging)!, double.Parse)
                from free in ParseList("--noise-free-snapshots", result.GetValue(noiseFree)!, (text, _) => bool.TryParse(text, out bool b) ? b
                    : throw new ArgumentException($"--noise-free-snapshots must be a comma-separated list of false and true; got '{text}'."))
                select trace with { Network = network, InputNoiseStd = σ, OutputAveraging = β, NoiseFreeSnapshots = free }).ToArray();
            foreach (var t in traces)
                t.Validate("--input-noise/--output-averaging");
            // What each T reads of the traces: the trace settings of a run of that T (its first snapshots).
            var readTraces = traces.Select(t => lengths.Prefixes.Select(p => t with { Iterations = p.Iterations, Snapshots = p.Snapshots }).ToArray()).ToArray();
            var baseOptions = new PurifierOptions { Trace = trace, BatchSize = result.GetValue(batch) };
            // The fit thresholds are the vote's: the other modes take one (unused) value, so that they are not evaluated twice.
            var poorFits = ParseList("--poor-fit", result.GetValue(poorFit)!, double.Parse);
            var lateChangeFits = ParseList("--late-change-fit", result.GetValue(lateChangeFit)!, double.Parse);
            var ambiguousMargins = ParseList("--ambiguous-margin", result.GetValue(ambiguousMargin)!, double.Parse);
            var ownLabelWeights = ParseList("--own-label-weight", result.GetValue(ownLabelWeight)!, double.Parse);
            var ambiguousFits = ParseList("--ambiguous-fit", result.GetValue(ambiguousFit)!, double.Parse);
            var seedCounts = ParseList("--seeds", result.GetValue(seeds)!, int.Parse);
            var quorums = ParseList("--mark-quorum", result.GetValue(markQuorum)!, int.Parse);
            var settings = (
                from traceSetting in readTraces.SelectMany(read => read)
                from t in ParseList("--tau", result.GetValue(tau)!, double.Parse)
                from w in ParseList("--warmup", result.GetValue(warmUp)!, int.Parse)
                from k in ParseList("--stable-run", result.GetValue(stableRun)!, int.Parse)
                from n in ParseList("--pairs", result.GetValue(pairs)!, int.Parse)
                from e in ParseList("--eta", result.GetValue(eta)!, double.Parse)
                from g in ParseList("--grid", result.GetValue(grid)!, int.Parse)
                from gate in Gates(result.GetValue(selection)!, result.GetValue(gateThreshold)!, result.GetValue(gateWindow)!)
                from fp in gate.Selection == PurifierSelection.Vote ? poorFits : [defaults.PoorFit]
                from fl in gate.Selection == PurifierSelection.Vote ? lateChangeFits : [defaults.LateChangeFit]
                from μ in gate.Selection == PurifierSelection.Vote ? ambiguousMargins : [defaults.AmbiguousMargin]
                // λ matters only with a margin: with μ off one value of it, so that equal settings are not evaluated twice.
                from λ in gate.Selection == PurifierSelection.Vote && μ != PurifierOptions.AmbiguousMarginOff ? ownLabelWeights : [defaults.OwnLabelWeight]
                from fa in gate.Selection == PurifierSelection.Vote && μ != PurifierOptions.AmbiguousMarginOff ? ambiguousFits : [defaults.AmbiguousFit]
                // K > 1 is the vote's: the other modes read one trace.
                from K in gate.Selection == PurifierSelection.Vote ? seedCounts : [1]
                // q ≥ K asks all K traces, as q = 0 does: one setting for them, so that equal settings are not evaluated twice.
                from q in quorums.Select(q => q >= K ? PurifierOptions.MarkQuorumAll : q).Distinct()
                from h in ParseList("--horizon", result.GetValue(horizon)!, double.Parse)
                from fs in ParseList("--settled-fit", result.GetValue(settledFit)!, double.Parse)
                // H_m is the vote's: the other modes take one (unused) value, so that they are not evaluated twice.
                from hm in gate.Selection == PurifierSelection.Vote ? ParseList("--marked-horizon", result.GetValue(markedHorizon)!, double.Parse) : [defaults.MarkedHorizon]
                select baseOptions with
                {
                    Trace = traceSetting, SsimThreshold = t, WarmUp = w, StableRun = k, Pairs = n, Eta = e, GridSections = g,
                    Selection = gate.Selection, GateThreshold = gate.Threshold, GateFrom = gate.From, GateTo = gate.To, Horizon = h, SettledFit = fs, MarkedHorizon = hm,
                    PoorFit = fp, LateChangeFit = fl, AmbiguousMargin = μ, OwnLabelWeight = λ, AmbiguousFit = fa, Seeds = K, MarkQuorum = q,
                }).ToArray();
            foreach (var setting in settings)
                setting.Validate("settings");
            var target = device.Resolve(result);

            string[] paths = result.GetValue(data)!;
            var names = SetNames(paths);
            var sets = new List<ImageDataset>();
            ImageDataset? reference = null;
            try
            {
                foreach (string path in paths)
                {
                    using var all = DatasetReader.Read(path);
                    sets.Add(DataOptions.Select(all, result.GetValue(offset), result.GetValue(count), path));
                    CheckSame(sets[0], sets[^1], $"--data '{path}' does not match --data '{paths[0]}'");
                }
                if (result.GetValue(clean) is { } cleanPath)
                {
                    using var all = DatasetReader.Read(cleanPath);
                    reference = all.Slice(result.GetValue(offset), sets[0].Count);
                    CheckSame(reference, sets[0], $"--clean '{cleanPath}' does not match --data");
                }

                using var classifier = victim.Load(result, 100);
                classifier.EnsureCompatible(sets[0].Channels, sets[0].Height, sets[0].Width);
                long[] truth = sets[0].Labels.data<long>().ToArray();
                // One sweep per (trace setting, T read, set), over the reconstruction settings of that trace setting and T.
                var sweeps = readTraces.Select(read => read.Select(t => sets.Select(_ => new PurifierSweep(classifier, settings.Where(o => o.Trace == t))).ToArray()).ToArray()).ToArray();

                int images = sets[0].Count, batchSize = baseOptions.BatchSize, steps = trace.Iterations;
                int seedsPerImage = settings.Max(o => o.TracesPerImage);
                console.Progress.MarkupLineInterpolated($"[grey]{traces.Length} trace setting(s) × {sets.Count} set(s) × {images} images × {seedsPerImage} seed(s): DIP traces (T = {steps}, M = {trace.Snapshots}), then {settings.Length / traces.Length} setting(s) each[/]");
                var watch = Stopwatch.StartNew();
                var traceTime = TimeSpan.Zero;
                var cache = cacheFolder is null ? null : new DipTraceCache(cacheFolder);
                int cachedChunks = 0;
                console.WithProgress("calibrating", checked(traces.Length * sets.Count * images * steps * seedsPerImage), progress =>
                {
                    for (int ti = 0; ti < traces.Length; ti++)
                    for (int s = 0; s < sets.Count; s++)
                        for (int start = 0; start < images; start += batchSize)
                        {
                            int chunkCount = Math.Min(batchSize, images - start);
                            using var scope = NewDisposeScope();
                            var inputs = sets[s].Images.narrow(0, start, chunkCount).to(target);
                            var cleanChunk = reference?.Images.narrow(0, start, chunkCount).to(target);
                            // Trace k of image i (counted from --offset) has seed --seed + 1000·k + i, as purify gives it.
                            var snapshots = new Tensor[seedsPerImage];
                            for (int k = 0; k < seedsPerImage; k++)
                            {
                                long done = ((((long)ti * sets.Count + s) * images + start) * seedsPerImage + (long)k * chunkCount) * steps;
                                var runner = new DipTraceRunner(traces[ti] with { Seed = baseOptions.TraceSeed(k, start) });
                                var clock = Stopwatch.StartNew();
                                var traceProgress = new Forward<DipProgress>(p => progress.Report((int)(done + (long)chunkCount * p.Iteration)));
                                if (cache is null)
                                    snapshots[k] = runner.Run(inputs, traceProgress).Snapshots;
                                else
                                {
                                    (snapshots[k], bool fromCache) = cache.GetOrRun(runner, inputs, traceProgress);
                                    cachedChunks += fromCache ? 1 : 0;
                                }
                                traceTime += clock.Elapsed;
                            }
                            try
                            {
                                for (int p = 0; p < lengths.Prefixes.Count; p++)
                                {
                                    int read = lengths.Prefixes[p].Snapshots;
                                    Tensor[] prefix = read == trace.Snapshots ? snapshots : [.. snapshots.Select(t => t.narrow(1, 0, read))];
                                    sweeps[ti][p][s].Add(prefix, inputs, new ArraySegment<long>(truth, start, chunkCount), cleanChunk);
                                }
                            }
                            finally
                            {
                                foreach (var t in snapshots)
                                    t?.Dispose();
                            }
                        }
                    return 0;
                });
                double seconds = watch.Elapsed.TotalSeconds;

                var rows = sweeps.SelectMany(read => read)
                    .SelectMany(perSet => Enumerable.Range(0, perSet[0].Settings.Count)
                        .Select(i => new Row(perSet[0].Settings[i], [.. perSet.Select(sweep => sweep.Results[i])])))
                    .OrderByDescending(row => row.MeanAccuracy)
                    .ToArray();

                Print(console.Report, names, rows);
                IReadOnlyList<(PurifierOptions, IReadOnlyList<double>)> accuracies = [.. rows.Select(row => (row.Options, (IReadOnlyList<double>)[.. row.Sets.Select(set => set.Accuracy)]))];
                var networkTable = NetworkIterationsTable.Of(accuracies);
                if (networkTable.Count > 0)
                    NetworkIterationsTable.Print(console.Report, networkTable);
                var figures = plotFolder is null ? [] : SensitivityFigures.Draw(accuracies, names, plotFolder);
                string? networkFigure = plotFolder is null || networkTable.Count == 0 ? null : NetworkIterationsTable.Draw(networkTable, plotFolder);
                foreach (string file in figures.Select(f => f.File).Append(networkFigure).OfType<string>())
                    console.Progress.MarkupLineInterpolated($"[grey]wrote {Path.Combine(plotFolder!, file)}[/]");
                if (plotFolder is not null && figures.Count == 0 && networkFigure is null)
                    console.Progress.MarkupLine("[yellow]--plot: the sweep varied no setting around its best one, so there is no figure to draw.[/]");
                console.WriteJson(new
                {
                    count = images,
                    offset = result.GetValue(offset),
                    data = names.Zip(paths, (name, path) => new { name, path = Path.GetFullPath(path) }),
                    clean = result.GetValue(clean) is { } c ? Path.GetFullPath(c) : null,
                    options = new
                    {
                        preset = presetNames,
                        iterations = lengths.Prefixes.Select(p => p.Iterations),
                        snapshots = trace.Snapshots,
                        seed = trace.Seed,
                        seeds = seedCounts,
                        mark_quorum = quorums,
                        input_noise = traces.Select(t => t.InputNoiseStd).Distinct(),
                        output_averaging = traces.Select(t => t.OutputAveraging).Distinct(),
                        batch = batchSize,
                    },
                    seconds,
                    trace_seconds = traceTime.TotalSeconds,
                    cached_chunks = cachedChunks,
                    settings = rows.Select(row => row.ToJson(names)),
                    best = rows[0].ToJson(names),
                    network_by_iterations = networkTable.Select(c => new
                    {
                        network = c.Network,
                        iterations = c.Iterations,
                        mean_accuracy = Output.Number(c.MeanAccuracy),
                        accuracy = names.Zip(c.Accuracy).ToDictionary(p => p.First, p => Output.Number(p.Second)),
                    }),
                    network_figure = networkFigure,
                    figures = figures.Select(f => new
                    {
                        file = f.File,
                        selection = f.Selection,
                        setting = f.Parameter,
                        values = f.Curves[0].Strength,
                        accuracy = f.Curves.ToDictionary(c => c.Name, c => c.Accuracy.Select(Output.Number)),
                    }),
                });
                return 0;
            }
            finally
            {
                foreach (var set in sets)
                    set.Dispose();
                reference?.Dispose();
            }
        });
        return command;
    }

    /// <summary>One setting's figures on every set.</summary>
    sealed record Row(PurifierOptions Options, SweepResult[] Sets)
    {
        public double MeanAccuracy => Sets.Average(s => s.Accuracy);

        public double? MeanSsim => Sets.All(s => s.MeanSsim is not null) ? Sets.Average(s => s.MeanSsim!.Value) : null;

        public double CrossingShare => Sets.Average(s => s.CrossingShare);

        public double Ceiling => Sets.Average(s => s.Ceiling);

        public double TraceShare => Sets.Average(s => s.TraceShare);

        public object ToJson(IReadOnlyList<string> names) => new
        {
            preset = DipNetworkConfig.PresetNameOf(Options.Trace.Network),
            iterations = Options.Trace.Iterations,
            snapshots = Options.Trace.Snapshots,
            input_noise = Options.Trace.InputNoiseStd,
            output_averaging = Options.Trace.OutputAveraging,
            noise_free_snapshots = Options.Trace.NoiseFreeSnapshots,
            selection = SelectionName(Options.Selection),
            gate_threshold = Options.Selection == PurifierSelection.Paper ? (double?)null : Options.GateThreshold,
            gate_window = Options.Selection == PurifierSelection.Paper ? null : WindowName(Options),
            poor_fit = Options.Selection == PurifierSelection.Vote ? Options.PoorFit : (double?)null,
            late_change_fit = Options.Selection == PurifierSelection.Vote ? Options.LateChangeFit : (double?)null,
            ambiguous_margin = Options.Selection == PurifierSelection.Vote ? Options.AmbiguousMargin : (double?)null,
            own_label_weight = Options.Selection == PurifierSelection.Vote && Options.AmbiguousMargin != PurifierOptions.AmbiguousMarginOff ? Options.OwnLabelWeight : (double?)null,
            ambiguous_fit = Options.Selection == PurifierSelection.Vote && Options.AmbiguousMargin != PurifierOptions.AmbiguousMarginOff ? Options.AmbiguousFit : (double?)null,
            seeds = Options.Seeds,
            mark_quorum = Options.Selection == PurifierSelection.Vote ? Options.MarksNeeded : (int?)null,
            horizon = Options.Horizon,
            settled_fit = Options.SettledFit,
            marked_horizon = Options.Selection == PurifierSelection.Vote ? Options.MarkedHorizon : (double?)null,
            tau = Options.SsimThreshold,
            warmup = Options.WarmUp,
            stable_run = Options.StableRun,
            pairs = Options.Pairs,
            eta = Options.Eta,
            grid = Options.GridSections,
            mean_accuracy = Output.Number(MeanAccuracy),
            ssim = MeanSsim is { } m ? Output.Number(m) : null,
            crossing_share = Output.Number(CrossingShare),
            ceiling = Output.Number(Ceiling),
            trace_share = Output.Number(TraceShare),
            per_set = Sets.Select((s, i) => new
            {
                data = names[i],
                accuracy = Output.Number(s.Accuracy),
                accuracy_unrounded = Output.Number(s.UnroundedAccuracy),
                ssim = s.MeanSsim is { } v ? Output.Number(v) : null,
                crossing_share = Output.Number(s.CrossingShare),
                ceiling = Output.Number(s.Ceiling),
                trace_share = Output.Number(s.TraceShare),
            }),
        };
    }

    static void Print(IAnsiConsole console, IReadOnlyList<string> names, IReadOnlyList<Row> rows)
    {
        var table = new Table().AddColumns("network", "T", "σ_z", "β", "noise-free", "selection", "H", "φ_s", "τ", "w", "k", "N", "η", "G");
        foreach (string name in names)
            table.AddColumn(Markup.Escape(name));
        table.AddColumns("mean acc.", "SSIM vs clean", "crossing share", "ceiling", "trace share");
        foreach (var row in rows)
        {
            var o = row.Options;
            table.AddRow([
                DipNetworkConfig.PresetNameOf(o.Trace.Network) ?? "custom", Format(o.Trace.Iterations), Format(Math.Round(o.Trace.InputNoiseStd, 4)), Format(o.Trace.OutputAveraging), o.Trace.NoiseFreeSnapshots ? "yes" : "no",
                Markup.Escape(SelectionLabel(o)), Format(o.Horizon), Format(o.SettledFit), Format(o.SsimThreshold), Format(o.WarmUp), Format(o.StableRun), Format(o.Pairs), Format(o.Eta), Format(o.GridSections),
                .. row.Sets.Select(s => $"{s.Accuracy:0.000}"),
                $"{row.MeanAccuracy:0.000}", row.MeanSsim is { } m ? $"{m:0.000}" : "-", $"{row.CrossingShare:0.000}", $"{row.Ceiling:0.000}", $"{row.TraceShare:0.000}",
            ]);
        }
        // Redirected output has no terminal width; keep the rows on one line each.
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
            console.Profile.Width = Math.Max(console.Profile.Width, 12 * (15 + names.Count));
        console.Write(table);
    }

    /// <summary>The selection column of the table: the mode, with θ and the window of a gate, and the vote's fit thresholds when on.</summary>
    static string SelectionLabel(PurifierOptions o) => o.Selection switch
    {
        PurifierSelection.Paper => "paper",
        PurifierSelection.Vote => $"vote {Format(o.GateThreshold)} ({WindowName(o)})"
            + (o.PoorFit != PurifierOptions.PoorFitOff || o.LateChangeFit != PurifierOptions.LateChangeFitOff ? $" fit {Format(o.PoorFit)}/{Format(o.LateChangeFit)}" : "")
            + (o.AmbiguousMargin != PurifierOptions.AmbiguousMarginOff ? $" own {Format(o.AmbiguousMargin)}/{Format(o.OwnLabelWeight)}"
                + (o.AmbiguousFit != PurifierOptions.AmbiguousFitOff ? $"/{Format(o.AmbiguousFit)}" : "") : "")
            + (o.TracesPerImage > 1 ? $" K {o.TracesPerImage}" : "")
            + (o.MarksNeeded < o.TracesPerImage ? $" q {o.MarksNeeded}" : "")
            + (o.MarkedHorizon < 1 ? $" Hm {Format(o.MarkedHorizon)}" : ""),
        _ => $"{SelectionName(o.Selection)} {Format(o.GateThreshold)} ({WindowName(o)})",
    };

    /// <summary>The selection settings to sweep: paper once, and the support gate at every threshold and window.</summary>
    static IEnumerable<(PurifierSelection Selection, double Threshold, double From, double To)> Gates(string modes, string thresholds, string windows)
    {
        var defaults = new PurifierOptions();
        foreach (string mode in ParseList("--selection", modes, (text, _) => text))
        {
            var parsed = ParseSelection(mode);
            if (parsed == PurifierSelection.Paper)
            {
                yield return (parsed, defaults.GateThreshold, defaults.GateFrom, defaults.GateTo);
                continue;
            }
            foreach (double threshold in ParseList("--gate-threshold", thresholds, double.Parse))
                foreach (string window in ParseList("--gate-window", windows, (text, _) => text))
                {
                    var (from, to) = ParseWindow(window);
                    yield return (parsed, threshold, from, to);
                }
        }
    }

    /// <summary>Parses a gate window "from-to" (shares of the trace).</summary>
    internal static (double From, double To) ParseWindow(string window)
    {
        var bounds = window.Split('-');
        if (bounds.Length != 2 || !double.TryParse(bounds[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double from)
            || !double.TryParse(bounds[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double to))
            throw new ArgumentException($"--gate-window: '{window}' is not a window from-to of shares of the trace (e.g. --gate-window 0.1-0.3).");
        return (from, to);
    }

    internal static string WindowName(PurifierOptions options) => $"{Format(options.GateFrom)}-{Format(options.GateTo)}";

    internal static PurifierSelection ParseSelection(string text) => text switch
    {
        "paper" => PurifierSelection.Paper,
        "support-gate" => PurifierSelection.SupportGate,
        "vote" => PurifierSelection.Vote,
        _ => throw new ArgumentException($"--selection must be paper, support-gate or vote; got '{text}'."),
    };

    internal static string SelectionName(PurifierSelection selection) => selection switch
    {
        PurifierSelection.Paper => "paper",
        PurifierSelection.SupportGate => "support-gate",
        _ => "vote",
    };

    /// <summary>Parses a comma-separated list (invariant culture), without duplicates, in the order given.</summary>
    static T[] ParseList<T>(string option, string text, Func<string, IFormatProvider, T> parse)
    {
        var values = new List<T>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            T value;
            try
            {
                value = parse(item, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new ArgumentException($"{option}: '{item}' is not a valid {(typeof(T) == typeof(int) ? "integer" : "number")} (expected a comma-separated list, e.g. {option} 1,2,3).");
            }
            if (!values.Contains(value))
                values.Add(value);
        }
        return [.. values];
    }

    static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Short names for the sets (file or folder names), made unique.</summary>
    static string[] SetNames(string[] paths)
    {
        var names = paths.Select(p => Path.GetFileName(Path.TrimEndingDirectorySeparator(p))).ToArray();
        for (int i = 0; i < names.Length; i++)
            if (names.Count(n => n == names[i]) > 1)
                names[i] = $"{names[i]}#{i + 1}";
        return names;
    }

    static void CheckSame(ImageDataset expected, ImageDataset actual, string message)
    {
        if (!actual.Images.shape.SequenceEqual(expected.Images.shape) || !actual.Labels.eq(expected.Labels).all().item<bool>())
            throw new ArgumentException($"{message}: the same images in the same order (same shape and labels) are expected.");
    }

    /// <summary>A synchronous <see cref="IProgress{T}"/>.</summary>
    sealed class Forward<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
