using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Tests.Audio;

namespace MusicRnn.Tests.Codecs;

/// <summary>Seeded signals the codec tests share.</summary>
internal static class TestSignals
{
    public const int SampleRate = 22050;

    /// <summary>The frame sizes every codec is checked at: small, the essay-code's order, the default.</summary>
    public static IReadOnlyList<int> FrameSizes { get; } = [256, 1024, 2048];

    /// <summary>Uniform white noise in [-1, 1]; full scale from the first sample, so edges are tested hard.</summary>
    public static float[] WhiteNoise(int length, int seed)
    {
        var random = new Random(seed);
        var samples = new float[length];
        for (var i = 0; i < length; i++)
            samples[i] = (float)(2 * random.NextDouble() - 1);
        return samples;
    }

    /// <summary>A C major triad (C4, E4, G4) at 0.3 each, with seeded phases.</summary>
    public static float[] Chord(int length, int seed)
    {
        var random = new Random(seed);
        double[] hertz = [261.63, 329.63, 392.00];
        var phases = hertz.Select(_ => 2 * Math.PI * random.NextDouble()).ToArray();
        var samples = new float[length];
        for (var i = 0; i < length; i++)
        {
            double sum = 0;
            for (var j = 0; j < hertz.Length; j++)
                sum += 0.3 * Math.Sin(2 * Math.PI * hertz[j] * i / SampleRate + phases[j]);
            samples[i] = (float)sum;
        }
        return samples;
    }

    public static float[] Make(string signal, int length, int seed) =>
        signal == "noise" ? WhiteNoise(length, seed) : Chord(length, seed);

    /// <summary>
    /// Frame size × signal × length: 4 whole frames, and 4 frames plus a ragged tail, so the zero
    /// padding of the end (and the MDCT's half-frame padding) is exercised.
    /// </summary>
    public static TheoryData<int, string, int> RoundTripCases()
    {
        var cases = new TheoryData<int, string, int>();
        foreach (var n in FrameSizes)
            foreach (var signal in new[] { "noise", "chord" })
                foreach (var length in new[] { 4 * n, 4 * n + n / 3 + 1 })
                    cases.Add(n, signal, length);
        return cases;
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (var i = 0; i < a.Length; i++)
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }

    /// <summary>
    /// Any codec by name at a frame length, for tests that loop over every codec: the mel codec
    /// gets as many bands (up to its default) as frames of that length can hold.
    /// </summary>
    public static IFrameCodec Codec(string name, int frameLength)
    {
        int? bands = null;
        if (name == "mel")
        {
            bands = Math.Min(MelCodec.DefaultBands, (frameLength / 2) + 1);
            while (bands > 1 && MelFilterbank.FirstEmptyBand(bands.Value, frameLength, SampleRate) is not null) bands--;
        }
        // The quantizing codecs' frame is always one sample.
        var settings = new CodecSettings(name, frameLength, SampleRate) { MelBands = bands };
        return CodecFactory.Create(settings.Quantizes ? settings with { FrameLength = 1 } : settings);
    }

    /// <summary>The 3 s of real electronic music in Fixtures/ (22050 Hz mono).</summary>
    public static float[] Excerpt() => AudioFile.ReadMono(Signals.Fixture("excerpt_digital_pursuit_3s_22050.ogg"), SampleRate);

    /// <summary>Spectral convergence and log-spectral distance of <paramref name="restored"/> against <paramref name="original"/>, measured in one block.</summary>
    public static (double Convergence, double DistanceDb) SpectralDistance(ReadOnlySpan<float> original, ReadOnlySpan<float> restored)
    {
        var meter = new SpectralDistanceMeter();
        meter.Add(original, restored);
        meter.Finish();
        return (meter.SpectralConvergence, meter.LogSpectralDistanceDb);
    }
}
