using System.Diagnostics;
using MusicRnn.Codecs;

namespace MusicRnn.Performance;

/// <summary>
/// How fast the <c>stft</c> codec's fast Griffin-Lim decodes, as a multiple of real time: what
/// <c>generate</c> and <c>transcode</c> pay on top of the model for a phase-rebuilding codec
/// (docs/ARCHITECTURE.md, "Codecs"). Measured with the caller's libtorch thread count.
/// </summary>
/// <param name="FrameLength">N of the codec.</param>
/// <param name="Hop">H of the codec.</param>
/// <param name="SampleRate">Rate the audio seconds are counted at, in Hz.</param>
/// <param name="Iterations">Griffin-Lim iterations per decoding window.</param>
/// <param name="AudioSeconds">Length of the audio decoded per run.</param>
/// <param name="Milliseconds">Wall time of each timed decode.</param>
/// <param name="TimesRealTime">Audio seconds per wall second of the best run.</param>
/// <param name="TimesRealTimeMedian">The same for the median run (the best tells the machine, the median a shared one).</param>
public sealed record GriffinLimSpeed(int FrameLength, int Hop, int SampleRate, int Iterations, double AudioSeconds, Timing Milliseconds,
    double TimesRealTime, double TimesRealTimeMedian)
{
    /// <summary>
    /// Encodes <paramref name="audioSeconds"/> of a seeded chord over noise (content does not change
    /// the work), decodes a short piece once to warm libtorch up, then times <paramref name="runs"/>
    /// whole decodes. The defaults are the codec's: N = 1024, H = 256, 22050 Hz, 32 iterations.
    /// </summary>
    public static GriffinLimSpeed Measure(double audioSeconds = 20, int frameLength = 1024, int hop = 256, int sampleRate = 22050,
        int iterations = SpectralCodec.DefaultPhaseIterations, int runs = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(audioSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);
        var codec = new StftCodec(frameLength, hop, iterations);
        var samples = Signal((int)Math.Round(audioSeconds * sampleRate), sampleRate);
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
        var seconds = (double)decoded / sampleRate;
        return new GriffinLimSpeed(frameLength, hop, sampleRate, iterations, seconds, timing,
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
