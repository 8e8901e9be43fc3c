using System.Globalization;
using System.Net;
using System.Text;

namespace MusicRnn.Experiments;

/// <summary>
/// Writes a bench run's report.html: one page that opens straight from disk, with the run's
/// settings, the tables, the figures (by relative path, beside the page), per sample an audio
/// player, its spectrogram beside the training excerpt's and its musical metrics, and how every
/// figure was obtained. It uses no script and loads nothing from the
/// network, so it reads the same in any browser, offline, years later.
/// </summary>
public static class ReportWriter
{
    /// <summary>The file name a bench run writes its report under.</summary>
    public const string FileName = "report.html";

    /// <summary>Width in pixels of the spectrograms a bench draws: two side by side fill the page.</summary>
    public const int SpectrogramWidth = 640;

    /// <summary>Height in pixels of those spectrograms.</summary>
    public const int SpectrogramHeight = 260;

    /// <summary>Writes <see cref="Render"/> to <paramref name="path"/>.</summary>
    public static void Write(BenchResults results, string path) =>
        File.WriteAllText(path, Render(results), new UTF8Encoding(false));

    /// <summary>
    /// The page. Figures are referenced as <see cref="Plots.LossFileName"/> per depth and
    /// <see cref="Plots.TimeFileName"/>, samples by each model's <see cref="ModelResult.Sample"/>,
    /// all relative to the folder the page is written into.
    /// </summary>
    public static string Render(BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = results.Settings;
        string title = $"MusicRnn bench: preset {results.Preset}";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");

        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"lead\">")
            .Append(E($"{results.Models.Count} model{(results.Models.Count == 1 ? "" : "s")} trained on {s.Audio} with identical data, codec, optimizer, windows and seed."))
            .Append("</p>\n");

        // Settings as a wrapped list of name–value pairs: a dozen short values, not worth a tall table.
        html.Append("<h2>Settings</h2>\n<dl class=\"settings\">\n");
        foreach (var (name, value) in results.DescribeSettings())
            html.Append("<div><dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd></div>\n");
        html.Append("</dl>\n");

        html.Append("<h2>").Append(E($"Seconds for {s.Epochs} epoch{(s.Epochs == 1 ? "" : "s")} of training")).Append("</h2>\n");
        html.Append("<p>").Append(E($"The layout of the essay's Table 1. Measured on {ResultsTables.Hardware(results)}."));
        if (ResultsTables.ShowsEssayFigures(results))
            html.Append(E(" The essay's columns are its own figures: 5 epochs on a GTX 960M GPU with Theano."));
        html.Append("</p>\n");
        AppendTable(html, ResultsTables.TrainingTime(results), "time");

        html.Append("<h2>Models</h2>\n");
        if (ResultsTables.BaselineSentence(results) is { } baselines) html.Append("<p>").Append(E(baselines)).Append("</p>\n");
        AppendTable(html, ResultsTables.PerModel(results), "models");

        html.Append("<h2 id=\"loss\">Training loss</h2>\n<p>")
            .Append(E("The essay's Figures 1 and 2: training loss against iteration on a logarithmic scale, one line per architecture; the dashed lines are the baselines, measured on the held-out targets."))
            .Append("</p>\n");
        foreach (int layers in ResultsTables.Depths(results))
            AppendFigure(html, Plots.LossFileName(layers), $"Training {ResultsTables.MetricName(s.LossMetric)} against iteration, {ResultsTables.Layers(layers)}");
        html.Append("<h2>Time per epoch</h2>\n");
        AppendFigure(html, Plots.TimeFileName, "Mean seconds per training epoch, by model");

        if (ResultsTables.HasMusic(results))
        {
            html.Append("<h2 id=\"music\">Does it sound like the song?</h2>\n<p>").Append(E(ResultsTables.MusicSentence(results))).Append("</p>\n");
            AppendTable(html, ResultsTables.Music(results), "music");
            if (Plots.HasTimbre(results))
                AppendFigure(html, Plots.TimbreFileName, "Timbre distance of each model's sample to the held-out audio against its final validation loss; the flat lines are the song's own distances");
        }

        html.Append("<h2 id=\"samples\">Samples</h2>\n");
        var withSamples = results.Models.Order(ModelOrder.Instance).Where(m => m.Sample is not null).ToList();
        if (withSamples.Count == 0)
            html.Append("<p>No samples were generated.</p>\n");
        else
        {
            html.Append("<p>").Append(E("A short generation from each trained model, its log-mel spectrogram (levels in the analysis the metrics use) beside the training audio's, and its metrics.")).Append("</p>\n<div class=\"samples\">\n");
            var excerpt = results.Reference?.Excerpt;
            foreach (var m in withSamples)
            {
                html.Append("<figure class=\"sample\"><figcaption>").Append(E(m.Name)).Append("</figcaption>")
                    .Append("<audio controls preload=\"metadata\" src=\"").Append(E(Url(m.Sample!))).Append("\"></audio>");
                if (m.Spectrogram is not null || excerpt is not null)
                {
                    html.Append("<div class=\"pair\">");
                    if (m.Spectrogram is { } picture) AppendSpectrogram(html, picture, $"Spectrogram of the sample of {m.Name}");
                    if (excerpt is not null)
                        AppendSpectrogram(html, excerpt, string.Create(CultureInfo.InvariantCulture, $"Spectrogram of the training audio, {results.Reference!.ExcerptSeconds:0.##} s from {results.Reference.ExcerptStartSeconds:0.##} s"));
                    html.Append("</div>");
                }
                if (SampleMetrics(m, results.Reference) is { } line) html.Append("<p class=\"metrics\">").Append(E(line)).Append("</p>");
                html.Append("</figure>\n");
            }
            html.Append("</div>\n");
        }

        html.Append("<h2 id=\"how\">How these figures were obtained</h2>\n<p>")
            .Append(E("Every timing and loss was measured by MusicRnn on the device below; timings only compare between models measured on one machine."))
            .Append("</p>\n");
        AppendTable(html, Provenance(results), "provenance");

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The sample's metrics in a line, each beside the song's figure; null when nothing was measured.</summary>
    private static string? SampleMetrics(ModelResult m, BenchReference? reference)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        var r = reference?.Points;
        if (m.Music is { } music)
        {
            string song = r?.SongTempoBpm is { } bpm ? string.Create(c, $" (the song's {bpm:F1} BPM, {r.SongPeriodicity:F2})") : "";
            parts.Add(music.TempoBpm is { } t ? string.Create(c, $"tempo {t:F1} BPM, periodicity {music.Periodicity:F2}{song}") : $"no tempo found{song}");
            if (music.TimbreDistance is { } d)
            {
                var against = new List<string>();
                if (r?.HalvesTimbreDistance is { } h) against.Add($"the song's halves {ResultsTables.Distance(h)}");
                if (r?.NoiseTimbreDistance is { } n) against.Add($"noise {ResultsTables.Distance(n)}");
                parts.Add($"timbre distance {ResultsTables.Distance(d)} dB²" + (against.Count > 0 ? $" ({string.Join(", ", against)})" : ""));
            }
            parts.Add(string.Create(c, $"copies {music.CopiedSeconds:F2} s of training audio"));
            parts.Add(string.Create(c, $"loops {music.LoopSeconds:F2} s") + (music.LoopPeriodSeconds is { } p ? string.Create(c, $" (period {p:F2} s)") : ""));
            if (music.StaticSeconds > 0) parts.Add(string.Create(c, $"static {music.StaticSeconds:F2} s"));
        }
        if (m.Audio is { } audio)
        {
            parts.Add(audio.RmsDbfs is { } db ? string.Create(c, $"{db:F1} dBFS RMS") : "silent");
            parts.Add(string.Create(c, $"silence {audio.SilenceFraction:P0}"));
        }
        return parts.Count == 0 ? null : string.Join(" · ", parts);
    }

    private static void AppendSpectrogram(StringBuilder html, string file, string caption) =>
        html.Append("<img src=\"").Append(E(Url(file))).Append("\" alt=\"").Append(E(caption))
            .Append("\" width=\"").Append(SpectrogramWidth.ToString(CultureInfo.InvariantCulture))
            .Append("\" height=\"").Append(SpectrogramHeight.ToString(CultureInfo.InvariantCulture)).Append("\">");

    private static TextTable Provenance(BenchResults results)
    {
        var rows = results.Models.Order(ModelOrder.Instance).Select(m => (IReadOnlyList<string>)
        [
            m.Name,
            m.Provenance.Device,
            m.Provenance.Threads.ToString(CultureInfo.InvariantCulture),
            m.Provenance.Version,
            m.Provenance.Date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
            $"{m.Provenance.Os}, {m.Provenance.CpuCount} CPUs",
            ResultsTables.Seconds(m.TotalSeconds),
        ]).ToList();
        return new TextTable(["Model", "Device", "Threads", "MusicRnn", "Finished", "Machine", "Total seconds"],
            [false, false, true, false, false, false, true], rows);
    }

    private static void AppendTable(StringBuilder html, TextTable table, string id)
    {
        html.Append("<table id=\"").Append(id).Append("\">\n<thead><tr>");
        for (int c = 0; c < table.Header.Count; c++)
            html.Append(table.RightAligned[c] ? "<th class=\"num\">" : "<th>").Append(E(table.Header[c])).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
                html.Append(c == 0 ? "<th scope=\"row\">" : table.RightAligned[c] ? "<td class=\"num\">" : "<td>")
                    .Append(E(row[c])).Append(c == 0 ? "</th>" : "</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void AppendFigure(StringBuilder html, string file, string caption) =>
        html.Append("<figure><img src=\"").Append(E(Url(file))).Append("\" alt=\"").Append(E(caption))
            .Append("\" width=\"").Append(Plots.Width.ToString(CultureInfo.InvariantCulture))
            .Append("\" height=\"").Append(Plots.Height.ToString(CultureInfo.InvariantCulture))
            .Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");

    // A relative path as a URL: each segment percent-encoded (a space or '#' in a model name must
    // not end the path), separators as '/', whatever the platform wrote.
    private static string Url(string relativePath) =>
        string.Join('/', relativePath.Split('/', '\\').Select(Uri.EscapeDataString));

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { margin: 0; background: #fafafa; color: #222; font: 16px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
        h1 { font-size: 28px; margin: 8px 0 4px; }
        h2 { font-size: 21px; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        .lead { color: #555; margin-top: 0; }
        table { border-collapse: collapse; margin: 8px 0 16px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
        th, td { padding: 5px 12px; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
        thead th { background: #f0f0f0; border-bottom: 2px solid #ccc; }
        tbody th { font-weight: 600; white-space: nowrap; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        dl.settings { display: flex; flex-wrap: wrap; gap: 6px 8px; margin: 8px 0 16px; }
        dl.settings div { background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); padding: 3px 10px; }
        dl.settings dt { display: inline; color: #666; }
        dl.settings dt::after { content: ": "; }
        dl.settings dd { display: inline; margin: 0; font-weight: 600; }
        figure { margin: 16px 0; }
        figure img { max-width: 100%; height: auto; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
        figcaption { color: #555; font-size: 14px; margin: 4px 0; }
        .samples { display: flex; flex-wrap: wrap; gap: 8px 24px; }
        figure.sample { margin: 4px 0; }
        figure.sample figcaption { font-weight: 600; color: #222; }
        figure.sample:has(.pair) { flex: 1 1 100%; }
        .pair { display: flex; gap: 8px; margin-top: 6px; }
        .pair img { width: calc(50% - 4px); height: auto; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
        p.metrics { font-size: 14px; color: #333; margin: 4px 0 12px; }

        """;
}
