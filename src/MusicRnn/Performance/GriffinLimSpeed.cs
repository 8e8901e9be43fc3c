using System.Diagnostics;
using MusicRnn.Codecs;

namespace MusicRnn.Performance;

/// <summary>
/// How fast a phase-rebuilding codec (<c>stft</c>, <c>mel</c>) decodes with fast Griffin-Lim, as a
/// multiple of real time: what <c>generate</c> and <c>transcode</c> pay on top of the model for
/// such a codec (docs/ARCHITECTURE.md, "Codecs"). Measured with the caller's libtorch thread count.
/// </summary>
/// <param name="Codec">Name of the codec timed.</param>
/// <param name="FrameLength">N of the codec.</param>
/// <param name="Hop">H of the codec.</param>
/// <param name="SampleRate">Rate the audio seconds are counted at, in Hz.</param>
/// <param name="Iterations">Griffin-Lim iterations per decoding window.</param>
/// <param name="AudioSeconds">Length of the audio decoded per run.</param>
/// <param name="Milliseconds">Wall time of each timed decode.</param>
/// <param name="TimesRealTime">Audio seconds per wall second of the best run.</param>
/// <param name="TimesRealTimeMedian">The same for the median run (the best tells the machine, the median a shared one).</param>
public sealed record GriffinLimSpeed(string Codec, int FrameLength, int Hop, int SampleRate, int Iterations, double AudioSeconds, Timing Milliseconds,
    double TimesRealTime, double TimesRealTimeMedian)
{
    /// <summary>
    /// Encodes <paramref name="audioSeconds"/> of a seeded chord over noise (content does not change
    /// the work) with the codec <paramref name="settings"/> describes (<c>stft</c> or <c>mel</c>),
    /// decodes a short piece once to warm libtorch up, then times <paramref name="runs"/> whole decodes.
    /// </summary>
    /// <exception cref="InputException">for settings that do not describe a valid phase-rebuilding codec.</exception>
    public static GriffinLimSpeed Measure(CodecSettings settings, double audioSeconds = 20, int runs = 3)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(audioSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);
        if (CodecFactory.Create(settings) is not SpectralCodec codec)
            throw InputException.ForOption("--codec", $"only stft and mel rebuild phase with Griffin-Lim, not {settings.Name}");
        var samples = Signal((int)Math.Round(audioSeconds * settings.SampleRate), settings.SampleRate);
        using var frames = codec.Encode(samples);
        using (var warm = frames.narrow(0, 0, Math.Min(frames.shape[0], 4 * codec.Overlap)))
            codec.Decode(warm);

        var milliseconds = new List<double>();
        var decoded = 0;
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            decoded = codec.Decode(frames).Length;
            milliseconds.Add(clock.Elapsed.TotalMilliseconds);
        }
        var timing = new Timing(milliseconds);
        var seconds = (double)decoded / settings.SampleRate;
        return new GriffinLimSpeed(codec.Name, codec.FrameLength, codec.Hop, settings.SampleRate, codec.PhaseIterations, seconds, timing,
            seconds / (timing.Best / 1000), seconds / (timing.Median / 1000));
    }

    private static float[] Signal(int length, int sampleRate)
    {
        var random = new Random(1);
        double[] hertz = [110, 220, 277.18, 329.63, 440, 1760];
        var samples = new float[length];
        for (var i = 0; i < length; i++)
        {
            double sum = 0.02 * ((2 * random.NextDouble()) - 1);
            foreach (var f in hertz) sum += 0.1 * Math.Sin(2 * Math.PI * f * i / sampleRate);
            samples[i] = (float)sum;
        }
        return samples;
    }
}
