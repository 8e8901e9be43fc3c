using MusicRnn.Audio;
using MusicRnn.Synthesis;
using MusicRnn.Tests.Audio;

namespace MusicRnn.Tests.Analysis;

/// <summary>Seeded signals for the analysis tests: the project's synthesized track, white noise, the real excerpt.</summary>
internal static class AnalysisTestKit
{
    public const int Rate = 22050;

    /// <summary>The synthesized track (kick on every beat, backbeat snare, hats, bass, lead).</summary>
    public static float[] Track(double bpm, int seed, double seconds) =>
        TrackSynthesizer.Render(new TrackSpec { Seconds = seconds, Bpm = bpm, Seed = seed, SampleRate = Rate });

    /// <summary>Seeded Gaussian white noise of the given RMS.</summary>
    public static float[] Noise(int samples, double rms, int seed)
    {
        var random = new Random(seed);
        var noise = new float[samples];
        for (var i = 0; i < samples; i++)
            noise[i] = (float)(rms * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return noise;
    }

    /// <summary>The 3-s real excerpt of "Digital Pursuit" (Fixtures/README.md) at 22050 Hz.</summary>
    public static float[] Excerpt() => AudioFile.ReadMono(Signals.Fixture("excerpt_digital_pursuit_3s_22050.ogg"), Rate);

    public static double Rms(ReadOnlySpan<float> audio)
    {
        double sum = 0;
        foreach (var x in audio) sum += (double)x * x;
        return Math.Sqrt(sum / audio.Length);
    }

    /// <summary>The parts one after another.</summary>
    public static float[] Join(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Samples [start, start + count) of a signal.</summary>
    public static float[] Cut(float[] audio, int start, int count) => audio.AsSpan(start, count).ToArray();
}
