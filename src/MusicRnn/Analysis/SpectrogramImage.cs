using System.Globalization;
using MusicRnn.Codecs;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MusicRnn.Analysis;

/// <summary>
/// A picture of audio's log-mel spectrogram, the one every metric is measured on: time on x, mel
/// frequency up on y labelled in Hz, a fixed dB range and colour map, so a sample's picture and the
/// training excerpt's side by side compare by eye (docs/ARCHITECTURE.md, Analysis).
/// </summary>
/// <remarks>
/// Levels are those of <see cref="LogMelSettings"/> (0 dB = full-scale white noise) drawn from
/// <see cref="MinDb"/> (black) to <see cref="MaxDb"/> (pale yellow) on the Magma map, which is
/// perceptually uniform and stays readable in grey; levels outside are drawn at the ends. Long audio
/// is pooled in time to at most one column per pixel of width — each column the mean band power of
/// its frames, in dB — while it is analysed in pieces, so memory is the picture's, whatever the
/// length. Drawing is deterministic: the same audio, title and size give the same bytes on a
/// machine (text is rendered with the fonts the machine has, DejaVu Sans where present).
/// </remarks>
public static class SpectrogramImage
{
    /// <summary>Default width in pixels.</summary>
    public const int DefaultWidth = 900;

    /// <summary>Default height in pixels.</summary>
    public const int DefaultHeight = 260;

    /// <summary>The level drawn black.</summary>
    public const double MinDb = -80;

    /// <summary>The level drawn brightest.</summary>
    public const double MaxDb = 10;

    private const int AnalysisChunk = 1 << 16;
    private const string PreferredFont = "DejaVu Sans";
    // Below 1 kHz the mel scale is nearly linear: 100 and 500 Hz are as far apart as labels can be there.
    private static readonly double[] TickHz = [100, 500, 1000, 2000, 5000, 10000, 20000];

    /// <summary>Writes the picture of <paramref name="audio"/> as a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void Write(string path, ReadOnlySpan<float> audio, int sampleRate, string title, int width = DefaultWidth, int height = DefaultHeight, LogMelSettings? settings = null) =>
        File.WriteAllBytes(path, Render(audio, sampleRate, title, width, height, settings));

    /// <summary>The PNG bytes of the picture.</summary>
    public static byte[] Render(ReadOnlySpan<float> audio, int sampleRate, string title, int width = DefaultWidth, int height = DefaultHeight, LogMelSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (width < 200 || height < 120) throw new ArgumentException($"expected at least 200 × 120 pixels, got {width} × {height}");
        var s = settings ?? LogMelSettings.Default;
        s.Validate(sampleRate);
        var levels = PooledLevels(audio, sampleRate, s, width);

        var plot = new Plot();
        plot.Font.Set(PreferredFont);
        plot.Axes.Title.Label.FontSize = 14;
        plot.Axes.Left.Label.FontSize = 12;
        plot.Axes.Bottom.Label.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;

        var seconds = Math.Max((double)audio.Length / sampleRate, 1e-3);
        // Band b peaks at mel point b + 1 of B + 2 equally spaced ones (MelFilterbank): rows one
        // spacing tall, centred on those peaks, span from half a spacing above the first point.
        var (lowest, highest) = (MelFilterbank.HzToMel(s.MinHz), MelFilterbank.HzToMel(sampleRate / 2.0));
        var spacing = (highest - lowest) / (s.Bands + 1);
        var (low, high) = (lowest + (spacing / 2), highest - (spacing / 2));
        var heatmap = plot.Add.Heatmap(levels);
        heatmap.Colormap = new ScottPlot.Colormaps.Magma();
        heatmap.ManualRange = new ScottPlot.Range(MinDb, MaxDb);
        heatmap.Rectangle = new CoordinateRect(0, seconds, low, high);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "dB (0 = full-scale white noise)";
        bar.LabelStyle.FontSize = 11;

        var ticks = new NumericManual();
        foreach (var hz in TickHz.Where(f => MelFilterbank.HzToMel(f) >= low && MelFilterbank.HzToMel(f) <= high))
            ticks.AddMajor(MelFilterbank.HzToMel(hz), hz >= 1000 ? $"{(hz / 1000).ToString(CultureInfo.InvariantCulture)}k" : hz.ToString(CultureInfo.InvariantCulture));
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(0, seconds, low, high);
        plot.Title(title);
        plot.XLabel("time (s)");
        plot.YLabel("frequency (Hz)");
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>[bands, columns] levels in dB, highest band in row 0 (the top of the picture).</summary>
    private static double[,] PooledLevels(ReadOnlySpan<float> audio, int sampleRate, LogMelSettings settings, int width)
    {
        var frames = audio.Length < settings.FrameLength ? 0 : ((audio.Length - settings.FrameLength) / settings.Hop) + 1;
        var columns = Math.Max(1, Math.Min(frames, width));
        var power = new double[settings.Bands, columns];
        var counts = new int[columns];
        var analyzer = new LogMelAnalyzer(sampleRate, settings);
        long frame = 0;
        for (var start = 0; start < audio.Length; start += AnalysisChunk)
        {
            var block = analyzer.Add(audio.Slice(start, Math.Min(AnalysisChunk, audio.Length - start)));
            for (var t = 0; t < block.Count; t++, frame++)
            {
                var column = (int)(frame * columns / frames);
                counts[column]++;
                var levels = block.Frame(t);
                for (var b = 0; b < settings.Bands; b++) power[b, column] += Math.Pow(10, levels[b] / 10.0);
            }
        }
        var result = new double[settings.Bands, columns];
        for (var c = 0; c < columns; c++)
            for (var b = 0; b < settings.Bands; b++)
                result[settings.Bands - 1 - b, c] = counts[c] == 0 ? settings.FloorDb : 10 * Math.Log10(power[b, c] / counts[c]);
        return result;
    }
}
