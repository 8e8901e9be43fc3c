using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class StateVariableFilterTests
{
    private const int Rate = 22050;

    [Theory]
    [InlineData(100.0, 1.0, 0.0)]  // an octave and more below 1 kHz: passes the low output
    [InlineData(8000.0, 0.0, 1.0)] // three octaves above: passes the high output
    public void Should_split_a_sine_into_low_and_high_at_the_cutoff(double hz, double expectLow, double expectHigh)
    {
        // Given a 1 kHz, Q 0.707 (maximally flat) filter and a unit sine
        var filter = new StateVariableFilter(Rate, 1000, Math.Sqrt(0.5));

        // When filtering 0.5 s and measuring the steady second half's amplitude
        double low = 0, high = 0;
        for (int i = 0; i < Rate / 2; i++)
        {
            filter.Process(Math.Sin(2 * Math.PI * hz * i / Rate));
            if (i < Rate / 4) continue;
            low = Math.Max(low, Math.Abs(filter.Low));
            high = Math.Max(high, Math.Abs(filter.High));
        }

        // Then the near output keeps the sine and the far one removes most of it (12 dB/octave)
        Assert.Equal(expectLow, low, 0.1);
        Assert.Equal(expectHigh, high, 0.1);
    }

    [Fact]
    public void Should_stay_bounded_when_the_cutoff_sweeps_every_sample_up_to_Nyquist()
    {
        // Given a resonant filter whose cutoff jumps around the whole range each sample, fed noise
        var filter = new StateVariableFilter(Rate, 1000, 4);
        var random = new SynthRandom(1);
        double peak = 0;

        // When running it for a second (cutoffs past Nyquist are clamped)
        for (int i = 0; i < Rate; i++)
        {
            filter.Tune(random.Range(20, 20000), 4);
            filter.Process(random.Noise());
            peak = Math.Max(peak, Math.Max(Math.Abs(filter.Low), Math.Abs(filter.High)));
        }

        // Then it neither blows up nor turns into NaN
        Assert.True(double.IsFinite(peak) && peak < 50, $"peak {peak}");
    }
}
