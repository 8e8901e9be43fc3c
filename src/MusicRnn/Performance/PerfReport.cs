using System.Globalization;
using System.Text;
using ScottPlot;

namespace MusicRnn.Performance;

/// <summary>
/// Writes a perf run's results: perf.json (every run), perf.md (the tables the issue asks for)
/// and two figures of how cost grows with the work, time against hidden size and against window.
/// </summary>
public static class PerfReport
{
    /// <summary>The Markdown report's file name.</summary>
    public const string MarkdownFileName = "perf.md";

    /// <summary>Figure: time per window against hidden size.</summary>
    public const string HiddenPlotFileName = "perf-hidden.png";

    /// <summary>Figure: time per window against window length.</summary>
    public const string WindowPlotFileName = "perf-window.png";

    /// <summary>Writes every file into <paramref name="folder"/> and returns their names.</summary>
    public static IReadOnlyList<string> WriteAll(PerfResults results, string folder, string command)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        results.Save(Path.Combine(folder, PerfResults.FileName));
        File.WriteAllText(Path.Combine(folder, MarkdownFileName), Markdown(results, command));
        var names = new List<string> { PerfResults.FileName, MarkdownFileName };
        if (results.Cells.Count > 0)
        {
            WritePlot(results, Path.Combine(folder, HiddenPlotFileName), c => c.Hidden, "hidden size (= input size)", c => c.Window, "window");
            WritePlot(results, Path.Combine(folder, WindowPlotFileName), c => c.Window, "window (steps)", c => c.Hidden, "hidden");
            names.Add(HiddenPlotFileName);
            names.Add(WindowPlotFileName);
        }
        return names;
    }

    /// <summary>The report: matmul rate, per-cell table, custom/fused and CW-RNN/RNN ratios, essay table, generation, Griffin-Lim, sample-level generation and training.</summary>
    public static string Markdown(PerfResults results, string command)
    {
        ArgumentNullException.ThrowIfNull(results);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# MusicRnn performance");
        md.AppendLine();
        md.AppendLine(c, $"Command: `{command}`  ");
        md.AppendLine(c, $"Started {results.Started}, {results.Threads} threads on {results.ProcessorCount} logical processors, load average at start {(results.LoadAverage is { } l ? l.ToString("0.0", c) : "n/a")}.  ");
        md.AppendLine("Runs of different architectures are interleaved; every figure gives the median and the best run, and rates use the best run (the one least disturbed when the machine is shared).");
        md.AppendLine();
        md.AppendLine(c, $"**Machine matmul rate** ({results.Matmul.Size}×{results.Matmul.Size} float32, 2n³ FLOP, {(results.Cells.Count > 0 ? "timed before the cells and once in every round of theirs" : "timed first")}, {results.Matmul.Milliseconds.Runs.Count} runs): best {results.Matmul.GflopsBest:0.0} GFLOP/s, median {results.Matmul.GflopsMedian:0.0} GFLOP/s.");
        md.AppendLine();

        if (results.Cells.Count > 0)
        {
            md.AppendLine("## Forward + backward per window");
            md.AppendLine();
            md.AppendLine("FLOP are counted analytically (see `FlopCount`): per step and sequence, input projection G·H·I + recurrent G·H·H (CW-RNN: only modules that tick) + head O·H + elementwise, as multiply-adds; backward = 2 × forward; 2 FLOP per multiply-add. `/libtorch` rows force libtorch's fused kernel.");
            md.AppendLine();
            md.AppendLine("| architecture | hidden | window | batch | median ms | best ms | GFLOP | GFLOP/s (best) | of matmul |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var t in results.Cells.OrderBy(t => t.Hidden).ThenBy(t => t.Window).ThenBy(t => t.Batch))
                md.AppendLine(c, $"| {t.Name} | {t.Hidden} | {t.Window} | {t.Batch} | {t.Milliseconds.Median:0.0} | {t.Milliseconds.Best:0.0} | {t.Gflop:0.00} | {t.GflopsBest:0.0} | {t.FractionOfMatmul:P0} |");
            md.AppendLine();

            md.AppendLine("## Custom cells against libtorch's fused kernel of the nearest equations (best runs)");
            md.AppendLine();
            md.AppendLine("| custom | libtorch | hidden | window | batch | ratio |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var (custom, reference) in PerfVariant.NearestFused)
                foreach (var t in results.Cells.Where(t => t.Name == custom))
                    if (Find(results, reference, t) is { } r)
                        md.AppendLine(c, $"| {custom} | {reference} | {t.Hidden} | {t.Window} | {t.Batch} | {t.Milliseconds.Best / r.Milliseconds.Best:0.00}× |");
            md.AppendLine();

            md.AppendLine(c, $"## CW-RNN ({PerfVariant.ClockworkModules} modules, periods 2^i) against the vanilla RNN (best runs)");
            md.AppendLine();
            md.AppendLine("| hidden | window | batch | CW-RNN / RNN |");
            md.AppendLine("|---:|---:|---:|---:|");
            foreach (var t in results.Cells.Where(t => t.Name == "cwrnn"))
                if (Find(results, "rnn", t) is { } r)
                    md.AppendLine(c, $"| {t.Hidden} | {t.Window} | {t.Batch} | {t.Milliseconds.Best / r.Milliseconds.Best:0.00}× |");
            md.AppendLine();
        }

        if (results.Essay.Count > 0)
        {
            md.AppendLine("## Essay-code workload against the essay's Table 1");
            md.AppendLine();
            md.AppendLine(c, $"Input = hidden = {PerfRunner.EssaySize}, windows of {PerfRunner.EssayWindow}, stride {PerfRunner.EssayStride}, batch 1, Adagrad. One update = forward, MSE, backward, gradient norm and clip, optimizer step, carry advance by the stride. Estimated 5 epochs = best update × {PerfRunner.EssayUpdates}. Essay: GTX 960M, Theano. LSTM with peepholes, GRU with reset before, CW-RNN with 8 modules (the spec defaults).");
            md.AppendLine();
            md.AppendLine("| model | layers | median ms/update | best ms/update | est. s (5 epochs) | essay s | ours / essay |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var e in results.Essay)
                md.AppendLine(c, $"| {e.Arch} | {e.Layers} | {e.MillisecondsPerUpdate.Median:0.0} | {e.MillisecondsPerUpdate.Best:0.0} | {e.EstimatedSeconds:0} | {e.EssaySeconds:0} | {e.EstimatedSeconds / e.EssaySeconds:0.00} |");
            var ours = results.Essay.Sum(e => e.EstimatedSeconds);
            var theirs = results.Essay.Sum(e => e.EssaySeconds);
            md.AppendLine(c, $"| **total** | | | | **{ours:0}** | **{theirs:0}** | **{ours / theirs:0.00}** |");
            md.AppendLine();
        }

        if (results.Generation.Count > 0)
        {
            md.AppendLine("## Free-running generation");
            md.AppendLine();
            md.AppendLine(c, $"Each prediction is the next input. Real time = {results.Generation[0].RealTimeFramesPerSecond:0.0} frames/s (1024-sample frames at 22050 Hz). The codec's inverse transform is not included.");
            md.AppendLine();
            md.AppendLine("| model and loop | frames | median ms | best ms | frames/s (best) | × real time |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var g in results.Generation)
                md.AppendLine(c, $"| {g.Model} | {g.Frames} | {g.Milliseconds.Median:0} | {g.Milliseconds.Best:0} | {g.FramesPerSecond:0} | {g.TimesRealTime:0.0} |");
            md.AppendLine();
        }
        if (results.GriffinLim.Count > 0)
        {
            md.AppendLine("## Griffin-Lim decoding");
            md.AppendLine();
            md.AppendLine("Fast Griffin-Lim (momentum 0.99) rebuilding the phase of the magnitude codecs, window by window as `generate` streams it, on a seeded chord over noise. Real time = the decoded audio's length.");
            md.AppendLine();
            md.AppendLine("| codec | frame | hop | rate Hz | iterations | audio s | median ms | best ms | × real time (best) | × real time (median) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var g in results.GriffinLim)
                md.AppendLine(c, $"| {g.Codec} | {g.FrameLength} | {g.Hop} | {g.SampleRate} | {g.Iterations} | {g.AudioSeconds:0.0} | {g.Milliseconds.Median:0} | {g.Milliseconds.Best:0} | {g.TimesRealTime:0.0} | {g.TimesRealTimeMedian:0.0} |");
            md.AppendLine();
        }
        if (results.SampleGeneration.Count > 0)
        {
            md.AppendLine("## Sample-level generation");
            md.AppendLine();
            md.AppendLine("Free-running `generate` of the default sample-level model (16 kHz, 256 levels, frame tier of 256 over frames of 16, MLP of 256) with random weights: the sample tier per sample and the frame tier once per frame, both in managed SIMD code over weights copied once (`SampleLevelSampler`, `ManagedFrameTier`); streams side by side share each product. Real time = the audio of all streams at 16 kHz.");
            md.AppendLine();
            md.AppendLine("| frame tier | streams | audio s per stream | median ms | best ms | × real time (best) | × real time (median) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var g in results.SampleGeneration)
                md.AppendLine(c, $"| {g.Arch} | {g.Streams} | {g.AudioSeconds:0.0} | {g.Milliseconds.Median:0} | {g.Milliseconds.Best:0} | {g.TimesRealTime:0.00} | {g.TimesRealTimeMedian:0.00} |");
            md.AppendLine();
        }
        if (results.SampleTraining.Count > 0)
        {
            var first = results.SampleTraining[0];
            var training = Training.SampleLevelDefaults.Training;
            md.AppendLine("## Sample-level training");
            md.AppendLine();
            md.AppendLine(c, $"One update of `train --predict samples` on the default model (16 kHz, 256 levels, frame tier of {first.Hidden} over frames of 16, MLP of {first.MlpSize}): forward over {first.Streams} streams × {first.Window} samples from the carried state, cross-entropy, backward, clip at norm {training.Clip:0.###}, {training.Optimizer.ToString().ToLowerInvariant()} at {training.LearningRate:0.####}, on a stand-in song of uniform levels. Samples/s = streams × window / seconds per update.");
            md.AppendLine();
            md.AppendLine("| frame tier | streams | window | updates | median ms | best ms | samples/s (best) | samples/s (median) | loss bits |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var t in results.SampleTraining)
                md.AppendLine(c, $"| {t.Arch} | {t.Streams} | {t.Window} | {t.Milliseconds.Runs.Count} | {t.Milliseconds.Median:0} | {t.Milliseconds.Best:0} | {t.SamplesPerSecond:0} | {t.SamplesPerSecondMedian:0} | {t.LossBits:0.00} |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static CellTiming? Find(PerfResults results, string name, CellTiming like) =>
        results.Cells.FirstOrDefault(r => r.Name == name && r.Hidden == like.Hidden && r.Window == like.Window && r.Batch == like.Batch);

    /// <summary>
    /// Best time per window against one size (<paramref name="x"/>), one line per architecture
    /// and value of <paramref name="series"/>, at the smallest batch, on log–log axes drawn as log10.
    /// </summary>
    private static void WritePlot(PerfResults results, string path, Func<CellTiming, int> x, string xLabel, Func<CellTiming, int> series, string seriesLabel)
    {
        var batch = results.Cells.Min(t => t.Batch);
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        // One colour per architecture and one line pattern per series value, so 18 lines stay
        // tellable apart: the colour says what runs, the pattern which size it is.
        var cells = results.Cells.Where(t => t.Batch == batch).ToList();
        var names = cells.Select(t => t.Name).Distinct().ToList();
        var values = cells.Select(series).Distinct().Order().ToList();
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var group in cells.GroupBy(t => (t.Name, Series: series(t))))
        {
            var points = group.OrderBy(x).ToList();
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(x(p))).ToArray(), points.Select(p => Math.Log10(p.Milliseconds.Best)).ToArray());
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{group.Key.Name}, {seriesLabel} {group.Key.Series}");
            line.Color = palette.GetColor(names.IndexOf(group.Key.Name));
            line.LinePattern = patterns[values.IndexOf(group.Key.Series) % patterns.Length];
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Forward + backward per window (batch {batch}, best of runs)"));
        plot.XLabel($"log10 {xLabel}");
        plot.YLabel("log10 milliseconds");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 1200, 650);
    }
}
