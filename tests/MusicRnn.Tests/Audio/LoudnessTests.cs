using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

public sealed class LoudnessTests
{
    [Fact]
    public void Should_measure_a_full_scale_sine_at_0_dB_peak_and_minus_3_dB_RMS()
    {
        // Given a full-scale sine over a whole number of cycles, sampled at its peaks
        var x = Signals.Sine(100, 8000, 8000, amplitude: 1.0, phase: Math.PI / 2);

        // When measured
        double peak = Loudness.PeakDbfs(x), rms = Loudness.RmsDbfs(x);

        // Then the peak is 0 dBFS and the RMS 20·log10(1/√2) = -3.0103 dBFS
        Assert.Equal(0, peak, 1e-6);
        Assert.Equal(-3.0103, rms, 1e-3);
    }

    [Fact]
    public void Should_drop_6_dB_per_halving_of_amplitude_whatever_the_sign()
    {
        // Given a constant -0.5
        var x = Enumerable.Repeat(-0.5f, 100).ToArray();

        // When measured
        // Then both levels are 20·log10(0.5) = -6.0206 dBFS
        Assert.Equal(-6.0206, Loudness.PeakDbfs(x), 1e-3);
        Assert.Equal(-6.0206, Loudness.RmsDbfs(x), 1e-3);
    }

    [Fact]
    public void Should_give_minus_infinity_for_silence_and_for_nothing()
    {
        // Given silence and an empty signal
        // When / Then both have no level at all
        Assert.Equal(double.NegativeInfinity, Loudness.PeakDbfs(new float[10]));
        Assert.Equal(double.NegativeInfinity, Loudness.RmsDbfs(new float[10]));
        Assert.Equal(double.NegativeInfinity, Loudness.PeakDbfs([]));
        Assert.Equal(double.NegativeInfinity, Loudness.RmsDbfs([]));
    }
}
