using MusicRnn.Codecs;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Codecs;

public sealed class SnrTests(ITestOutputHelper output)
{
    [Fact]
    public void Should_compute_the_ratio_of_signal_to_error_energy_in_decibels()
    {
        // Given a reference of energy 1 + 1 + 1 + 1 = 4 and a copy off by 0.5 in one sample (error energy 0.25)
        var reference = new float[] { 1, -1, 1, -1 };
        var test = new float[] { 1, -1, 1, -0.5f };

        // When the SNR is measured
        var snr = Snr.SnrDb(reference, test);

        // Then it is 10·log10(4 / 0.25) = 10·log10(16) = 12.0412 dB
        Assert.Equal(12.041199826559248, snr, 10);
    }

    [Fact]
    public void Should_be_infinite_for_an_exact_copy_and_minus_infinite_against_silence()
    {
        // Given an exact copy, and an error against a silent reference
        var signal = new float[] { 0.5f, -0.25f };

        // When measured
        // Then a perfect copy is +∞ and noise over silence is −∞
        Assert.Equal(double.PositiveInfinity, Snr.SnrDb(signal, signal));
        Assert.Equal(double.NegativeInfinity, Snr.SnrDb(new float[2], signal));
    }

    [Fact]
    public void Should_refuse_signals_of_different_lengths()
    {
        // Given signals of 2 and 3 samples
        // When compared
        // Then it is an argument error
        Assert.Throws<ArgumentException>(() => Snr.SnrDb(new float[2], new float[3]));
    }

    [Theory]
    [InlineData("fft")]
    [InlineData("rfft")]
    [InlineData("mdct")]
    [InlineData("raw")]
    public void Should_exceed_100_dB_for_a_chord_round_trip_at_22050_Hz(string name)
    {
        // Given two seconds and a bit of a C major chord at 22050 Hz, and the codec at the default frame
        var samples = TestSignals.Chord(2 * TestSignals.SampleRate + 77, seed: 3);
        var codec = CodecFactory.Create(name, 2048);

        // When the chord goes through the codec and back in float32
        var decoded = codec.RoundTrip(samples);

        // Then at least 100 dB of it survives
        var snr = Snr.SnrDb(samples, decoded);
        output.WriteLine($"{name}: {snr:F1} dB");
        Assert.True(snr >= 100, $"{name}: {snr} dB");
    }
}
