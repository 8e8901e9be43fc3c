using MusicRnn.Generation;

namespace MusicRnn.Tests.Generation;

public sealed class AudioStatisticsTests
{
    private const int Rate = 22050;

    [Fact]
    public void Should_find_a_pure_tone_flat_as_nothing()
    {
        // Given two seconds of a 1 kHz sine at amplitude 0.5
        var tone = Enumerable.Range(0, 2 * Rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / Rate))).ToArray();

        // When measured
        var metrics = Measure(tone, piece: 1000);

        // Then the flatness is ≈ 0 and the RMS is amplitude / √2, no block silent
        Assert.NotNull(metrics.SpectralFlatness);
        Assert.True(metrics.SpectralFlatness < 1e-3, $"flatness {metrics.SpectralFlatness}");
        Assert.Equal(0.5 / Math.Sqrt(2), metrics.RmsLinear, 3);
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), metrics.RmsDbfs!.Value, 2);
        Assert.Equal(0, metrics.SilenceFraction);
        Assert.Equal(2.0, metrics.DurationSeconds, 6);
    }

    [Fact]
    public void Should_find_white_noise_near_the_exponential_limit()
    {
        // Given five seconds of seeded Gaussian white noise
        var random = new Random(11);
        var noise = Enumerable.Range(0, 5 * Rate).Select(_ => (float)(0.1 * Gaussian(random))).ToArray();

        // When measured
        var metrics = Measure(noise, piece: 4096);

        // Then the flatness is near e^-γ ≈ 0.561, the flatness of exponentially distributed power bins
        Assert.InRange(metrics.SpectralFlatness!.Value, 0.52, 0.60);
    }

    [Fact]
    public void Should_count_half_of_the_blocks_silent_when_half_is_silence()
    {
        // Given one second of silence then one second of noise at -20 dBFS
        var random = new Random(12);
        var audio = new float[2 * Rate];
        for (var i = Rate; i < audio.Length; i++) audio[i] = (float)(0.1 * Gaussian(random));

        // When measured
        var metrics = Measure(audio, piece: 777);

        // Then half of the 20 ms blocks are silent (the block straddling the edge is loud)
        Assert.InRange(metrics.SilenceFraction, 0.49, 0.5);
    }

    [Fact]
    public void Should_report_silence_without_a_level_or_a_flatness()
    {
        // Given a second of zeros
        var metrics = Measure(new float[Rate], piece: Rate);

        // Then it is all silent, with no dB level and no flatness
        Assert.Equal(1.0, metrics.SilenceFraction);
        Assert.Null(metrics.RmsDbfs);
        Assert.Null(metrics.SpectralFlatness);
    }

    private static AudioMetrics Measure(float[] audio, int piece)
    {
        var statistics = new AudioStatistics(Rate);
        for (var start = 0; start < audio.Length; start += piece)
            statistics.Add(audio.AsSpan(start, Math.Min(piece, audio.Length - start)));
        return statistics.Result();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
