using MusicRnn.Audio;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Audio;

public sealed class ResamplerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(44100, 22050)]
    [InlineData(22050, 44100)]
    [InlineData(48000, 22050)]
    [InlineData(44100, 44101)] // gcd 1: more phases than the table holds, so rows are interpolated
    public void Should_keep_a_1kHz_tone_at_its_frequency_with_THD_plus_N_below_minus_60_dB(int from, int to)
    {
        // Given two seconds of a 1 kHz sine at half scale
        var x = Signals.Sine(1000, from, 2 * from, amplitude: 0.5, phase: 0.3);

        // When resampled
        var y = Resampler.Resample(x, from, to);

        // Then away from the edges it is still a 1 kHz sine within 0.1%, with little else in it
        var (hz, thdN) = Signals.FitSine(y, to, to / 4, to);
        output.WriteLine($"{from} -> {to}: {hz:F5} Hz, THD+N {thdN:F1} dB");
        Assert.InRange(hz, 999, 1001);
        Assert.True(thdN < -60, $"THD+N {thdN:F1} dB");
    }

    [Fact]
    public void Should_remove_tones_above_the_new_Nyquist_frequency_when_downsampling()
    {
        // Given a 15 kHz sine at 44100 Hz, above the 11025 Hz Nyquist frequency of 22050 Hz
        var x = Signals.Sine(15000, 44100, 44100, amplitude: 0.5);

        // When downsampled to 22050 Hz
        var y = Resampler.Resample(x, 44100, 22050);

        // Then nothing aliases back down to 7050 Hz: the middle is at least 60 dB below the input
        var middle = y.AsSpan(2000, y.Length - 4000);
        output.WriteLine($"15 kHz at 44100 -> 22050: {Loudness.RmsDbfs(middle) - Loudness.RmsDbfs(x):F1} dB");
        Assert.True(Loudness.RmsDbfs(middle) < Loudness.RmsDbfs(x) - 60, $"alias at {Loudness.RmsDbfs(middle):F1} dBFS");
    }

    [Theory]
    [InlineData(44100, 22050, 1001, 501)]
    [InlineData(22050, 44100, 1000, 2000)]
    [InlineData(48000, 22050, 48000, 22050)]
    [InlineData(48000, 22050, 1, 1)]
    public void Should_produce_the_length_scaled_by_the_rate_ratio_rounded_up(int from, int to, int inLength, int expected)
    {
        // Given a signal of inLength samples
        var x = new float[inLength];

        // When resampled
        var y = Resampler.Resample(x, from, to);

        // Then it has ceil(inLength * to / from) samples
        Assert.Equal(expected, y.Length);
    }

    [Fact]
    public void Should_pass_a_constant_unchanged_away_from_the_edges()
    {
        // Given a constant 0.25 at 48000 Hz
        var x = Enumerable.Repeat(0.25f, 48000).ToArray();

        // When resampled to 22050 Hz
        var y = Resampler.Resample(x, 48000, 22050);

        // Then the middle is 0.25 to float precision
        foreach (float v in y.AsSpan(1000, y.Length - 2000))
            Assert.Equal(0.25f, v, 1e-5f);
    }

    [Fact]
    public void Should_return_a_copy_when_the_rates_are_equal()
    {
        // Given a short signal
        var x = new[] { 0.1f, -0.2f, 0.3f };

        // When "resampled" to its own rate
        var y = Resampler.Resample(x, 22050, 22050);

        // Then the samples are the same, in a new array
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Should_reject_rates_that_are_not_positive()
    {
        // Given / When / Then a zero or negative rate is a programming error
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[4], 0, 22050));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[4], 44100, -1));
    }
}
