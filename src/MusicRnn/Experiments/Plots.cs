using System.Globalization;
using MusicRnn.Models;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MusicRnn.Experiments;

/// <summary>
/// The figures of a bench report, drawn with ScottPlot: the essay's Figures 1–2 (training loss
/// against iteration on a log scale, one line per architecture, one figure per depth), a
/// bar chart of seconds per epoch and, where samples were measured, the timbre distance of each
/// model's sample against its validation loss.
/// </summary>
public static class Plots
{
    /// <summary>Width of every figure in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Height of every figure in pixels.</summary>
    public const int Height = 600;

    /// <summary>The time figure's file name.</summary>
    public const string TimeFileName = "time.png";

    /// <summary>The timbre figure's file name.</summary>
    public const string TimbreFileName = "timbre.png";

    /// <summary>The loss figure's file name for models of <paramref name="layers"/> layers.</summary>
    public static string LossFileName(int layers) => $"loss-{layers.ToString(CultureInfo.InvariantCulture)}layer.png";

    /// <summary>
    /// Writes every figure into <paramref name="folder"/> and returns their file names: one loss
    /// figure per depth present, then the time figure, then the timbre figure when
    /// <see cref="HasTimbre"/>.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(BenchResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        var names = new List<string>();
        foreach (int layers in ResultsTables.Depths(results))
        {
            names.Add(LossFileName(layers));
            WriteLoss(results, layers, Path.Combine(folder, names[^1]));
        }
        names.Add(TimeFileName);
        WriteTime(results, Path.Combine(folder, TimeFileName));
        if (HasTimbre(results))
        {
            names.Add(TimbreFileName);
            WriteTimbre(results, Path.Combine(folder, TimbreFileName));
        }
        return names;
    }

    /// <summary>Whether some model has both a sample's timbre distance and a validation loss to plot.</summary>
    public static bool HasTimbre(BenchResults results) => TimbrePoints(results).Count > 0;

    private static List<(ModelResult Model, double Loss, double Distance)> TimbrePoints(BenchResults results) =>
        results.Models.Order(ModelOrder.Instance)
            .Where(m => m.FinalValidationLoss is { } v && double.IsFinite(v) && v > 0 && m.Music?.TimbreDistance is { } d && double.IsFinite(d) && d > 0)
            .Select(m => (m, m.FinalValidationLoss!.Value, m.Music!.TimbreDistance!.Value))
            .ToList();

    /// <summary>
    /// One point per model: its final validation loss (x) against the timbre distance of its
    /// sample to the held-out audio (y, on a log scale), in the architecture's colour and
    /// named; the song's own reference distances (halves, held-out against training, noise) as
    /// flat lines, so a point reads against "sounds like the song" and "sounds like noise".
    /// </summary>
    public static void WriteTimbre(BenchResults results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var points = TimbrePoints(results);
        var plot = NewPlot();
        double xlo = double.PositiveInfinity, xhi = double.NegativeInfinity, ylo = double.PositiveInfinity, yhi = double.NegativeInfinity;
        foreach (var group in points.GroupBy(p => p.Model.Spec.Arch))
        {
            double[] xs = group.Select(p => p.Loss).ToArray();
            double[] ys = group.Select(p => Math.Log10(p.Distance)).ToArray();
            var dots = plot.Add.Scatter(xs, ys);
            dots.LineWidth = 0;
            dots.MarkerSize = 12;
            dots.Color = ArchColor(group.Key);
            dots.LegendText = ResultsTables.ArchName(group.Key);
            foreach (var p in group)
            {
                var label = plot.Add.Text(p.Model.Name, p.Loss, Math.Log10(p.Distance));
                label.LabelFontSize = 13;
                label.LabelFontName = PreferredFont;
                label.LabelFontColor = Colors.Black.WithAlpha(0.8);
                label.LabelAlignment = Alignment.LowerLeft;
                label.OffsetX = 8;
            }
            (xlo, xhi) = (Math.Min(xlo, xs.Min()), Math.Max(xhi, xs.Max()));
            (ylo, yhi) = (Math.Min(ylo, ys.Min()), Math.Max(yhi, ys.Max()));
        }

        var reference = results.Reference?.Points;
        var lines = new (string Name, double? Distance, LinePattern Pattern)[]
        {
            ("the song's halves", reference?.HalvesTimbreDistance, LinePattern.Dashed),
            ("held-out vs training audio", reference?.HeldOutTimbreDistance, LinePattern.DenselyDashed),
            ("white noise vs the song", reference?.NoiseTimbreDistance, LinePattern.Dotted),
        };
        foreach (var (name, distance, pattern) in lines)
        {
            if (distance is not { } d || !double.IsFinite(d) || d <= 0) continue;
            var flat = plot.Add.HorizontalLine(Math.Log10(d));
            flat.LinePattern = pattern;
            flat.LineWidth = 2;
            flat.Color = Colors.Black.WithAlpha(0.7);
            flat.LegendText = $"{name}: {ResultsTables.Distance(d)}";
            (ylo, yhi) = (Math.Min(ylo, Math.Log10(d)), Math.Max(yhi, Math.Log10(d)));
        }

        if (double.IsInfinity(xlo)) (xlo, xhi) = (0, 1);
        if (double.IsInfinity(ylo)) (ylo, yhi) = (0, 1);
        // Validation losses of one grid rarely span a decade, so x is linear, with room for the names.
        double margin = Math.Max((xhi - xlo) * 0.15, Math.Abs(xhi) * 0.02);
        (xlo, xhi) = (xlo - margin, xhi + (2 * margin));
        (ylo, yhi) = Padded(ylo, yhi, 0.2);
        // An empty band on top holds the legend (up to seven rows), so it hides no point.
        yhi += (yhi - ylo) * 0.6;
        plot.Axes.SetLimits(xlo, xhi, ylo, yhi);
        plot.Axes.Left.TickGenerator = LogTicks(ylo, yhi);
        string metric = ResultsTables.MetricName(results.Settings.LossMetric);
        plot.Title("Timbre distance of each sample against validation loss");
        plot.XLabel($"final validation {metric}");
        plot.YLabel("timbre distance to held-out audio, dB² (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>A log-scale range widened to at least <paramref name="minSpan"/> decades, with a margin for labels.</summary>
    private static (double Lo, double Hi) Padded(double lo, double hi, double minSpan)
    {
        double span = Math.Max(hi - lo, minSpan);
        double mid = (hi + lo) / 2;
        return (mid - (span * 0.6), mid + (span * 0.6));
    }

    /// <summary>
    /// Training loss against iteration for the models of <paramref name="layers"/> layers, on a
    /// log scale, with each baseline as a flat dashed line.
    /// </summary>
    public static void WriteLoss(BenchResults results, int layers, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var models = results.Models.Where(m => m.Spec.Layers == layers).Order(ModelOrder.Instance).ToList();
        // Two models of one architecture at one depth need their names to tell the lines apart.
        bool nameLines = models.GroupBy(m => m.Spec.Arch).Any(g => g.Count() > 1);

        var plot = NewPlot();
        // ScottPlot has no logarithmic axis: the curves are drawn as log10(loss) and the ticks
        // are labelled with the loss itself. A loss of zero, a negative or a NaN has no place on
        // a log scale, so those points are left out rather than drawn at some made-up height.
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var m in models)
        {
            var points = m.LossCurve.Where(p => double.IsFinite(p.Loss) && p.Loss > 0).ToList();
            if (points.Count == 0) continue;
            double[] xs = points.Select(p => (double)p.Iteration).ToArray();
            double[] ys = points.Select(p => Math.Log10(p.Loss)).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.MarkerSize = points.Count == 1 ? 6 : 0;
            line.LineWidth = 2;
            line.Color = ArchColor(m.Spec.Arch);
            line.LegendText = nameLines ? m.Name : ResultsTables.ArchName(m.Spec.Arch);
            lo = Math.Min(lo, ys.Min());
            hi = Math.Max(hi, ys.Max());
        }

        // A baseline is the same for every model trained on the same data, so usually one line each;
        // each baseline has its own dash pattern, so they read apart in grey.
        var patterns = new[] { LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed, LinePattern.Solid };
        var names = results.Settings.Baselines.Select(b => b.Name).ToList();
        for (int i = 0; i < names.Count; i++)
        {
            var levels = models.Select(m => m.Baselines.FirstOrDefault(b => b.Name == names[i])?.Loss).OfType<double>()
                .Where(p => double.IsFinite(p) && p > 0).Select(p => Math.Log10(p)).Distinct().ToList();
            foreach (double b in levels)
            {
                var flat = plot.Add.HorizontalLine(b);
                flat.LinePattern = patterns[i % patterns.Length];
                flat.LineWidth = 2;
                flat.Color = Colors.Black.WithAlpha(0.7);
                flat.LegendText = levels.Count == 1 ? $"{names[i]} baseline" : $"{names[i]} baseline {ResultsTables.Loss(Math.Pow(10, b))}";
                lo = Math.Min(lo, b);
                hi = Math.Max(hi, b);
            }
        }

        if (double.IsInfinity(lo))
            (lo, hi) = (-1, 0);
        // At least a fifth of a decade tall, so a flat curve is not blown up into noise.
        double span = Math.Max(hi - lo, 0.2);
        double mid = (hi + lo) / 2;
        (lo, hi) = (mid - (span * 0.55), mid + (span * 0.55));
        plot.Axes.SetLimitsY(lo, hi);
        plot.Axes.Left.TickGenerator = LogTicks(lo, hi);
        // Iterations start at 1: an axis from 0 reads better than the negative margin ScottPlot would add.
        long last = models.SelectMany(m => m.LossCurve).Select(p => p.Iteration).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsX(0, Math.Max(last, 1) * 1.02);

        string metric = ResultsTables.MetricName(results.Settings.LossMetric);
        plot.Title($"Training {metric}, {ResultsTables.Layers(layers)}");
        plot.XLabel("iteration (parameter update)");
        plot.YLabel($"training {metric} (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>A bar per model: mean seconds per training epoch, coloured by architecture.</summary>
    public static void WriteTime(BenchResults results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var models = results.Models.Order(ModelOrder.Instance).ToList();
        var plot = NewPlot();

        // Bars of one architecture stand together and a gap separates architectures, so the
        // eye reads the figure like the table: across depths within an architecture.
        var bars = new List<Bar>();
        var ticks = new NumericManual();
        double x = 0;
        string? previousArch = null;
        foreach (var m in models)
        {
            if (previousArch is not null && previousArch != m.Spec.Arch) x += 0.6;
            previousArch = m.Spec.Arch;
            bars.Add(new Bar
            {
                Position = x,
                Value = m.SecondsPerEpoch,
                FillColor = ArchColor(m.Spec.Arch),
                Label = ResultsTables.Seconds(m.SecondsPerEpoch),
                Size = 0.8,
            });
            ticks.AddMajor(x, m.Name);
            x += 1;
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Bars start from the axis; the headroom above keeps the value labels inside the frame.
        double top = models.Count == 0 ? 1 : Math.Max(models.Max(m => m.SecondsPerEpoch), 1e-6);
        plot.Axes.SetLimitsY(0, top * 1.15);
        plot.Axes.SetLimitsX(-0.7, Math.Max(x - 0.3, 0.7));
        plot.Grid.XAxisStyle.IsVisible = false;

        plot.Title($"Seconds per training epoch ({ResultsTables.Hardware(results)})");
        plot.YLabel("seconds per epoch");
        plot.XLabel("model (architecture-layers)");
        plot.SavePng(path, Width, Height);
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        // ScottPlot's default family is rarely installed on Linux and its fallback is a serif;
        // DejaVu Sans ships with Debian (fonts-dejavu-core, which .ci/run installs) and most
        // distributions. Where it is missing ScottPlot falls back to whatever font it finds.
        plot.Font.Set(PreferredFont);
        plot.Axes.Title.Label.FontSize = 20;
        plot.Axes.Title.Label.Bold = true;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Legend.FontSize = 14;
        plot.Legend.FontName = PreferredFont;
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.12);
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        plot.Grid.MinorLineWidth = 1;
        return plot;
    }

    private const string PreferredFont = "DejaVu Sans";

    /// <summary>
    /// Ticks for an axis that shows log10 of a value: decades as major ticks labelled with the
    /// value, 2–9 × each decade as minor ticks; on an axis under two decades tall the 2× and
    /// 5× ticks are labelled too, and on one under a decade tall (a loss from 5.3 to 8 bits, say,
    /// which holds none of 1, 2, 5) every tick is labelled, with 1.5 … 4.5 × between them, so there
    /// are always a few labels to read.
    /// </summary>
    private static NumericManual LogTicks(double lo, double hi)
    {
        var ticks = new NumericManual();
        foreach (var (at, label) in LogTickMarks(lo, hi))
        {
            if (label is null) ticks.AddMinor(at);
            else ticks.AddMajor(at, label);
        }
        return ticks;
    }

    /// <summary>The ticks of <see cref="LogTicks"/>: their heights (log10 of the value) and labels, null for a minor tick.</summary>
    internal static IReadOnlyList<(double At, string? Label)> LogTickMarks(double lo, double hi)
    {
        var marks = new List<(double, string?)>();
        bool fine = hi - lo < 2, finer = hi - lo < 1;
        double[] steps = finer ? [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        for (int decade = (int)Math.Floor(lo) - 1; decade <= (int)Math.Ceiling(hi); decade++)
        {
            foreach (double k in steps)
            {
                double at = decade + Math.Log10(k);
                if (at < lo || at > hi) continue;
                bool labelled = k == 1 || finer || (fine && k is 2 or 5);
                marks.Add((at, labelled ? TickLabel(k * Math.Pow(10, decade)) : null));
            }
        }
        return marks;
    }

    // Plain digits for the values people read as numbers, powers of ten elsewhere.
    private static string TickLabel(double value)
    {
        double exponent = Math.Floor(Math.Log10(value) + 1e-9);
        if (exponent is >= -4 and <= 4)
            return value.ToString("0.####", CultureInfo.InvariantCulture);
        double mantissa = Math.Round(value / Math.Pow(10, exponent), 1);
        return (mantissa == 1 ? "" : mantissa.ToString(CultureInfo.InvariantCulture) + "×")
            + "1e" + exponent.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>One fixed colour per architecture, the same in every figure (<see cref="Architectures"/>).</summary>
    private static Color ArchColor(string arch) => Color.FromHex(Architectures.Find(arch)?.Color ?? "#7f7f7f");
}
