using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class OscillatorTests
{
    [Theory]
    [InlineData(69.0, 440.0)]
    [InlineData(57.0, 220.0)]
    [InlineData(33.0, 55.0)]
    [InlineData(72.0, 523.2511)]
    public void Should_tune_MIDI_notes_to_equal_temperament(double note, double hz)
    {
        Assert.Equal(hz, Oscillator.MidiToHz(note), 3);
    }

    [Fact]
    public void Should_alias_less_than_a_naive_saw()
    {
        // Given a 1661 Hz saw at 22050 Hz: its harmonics above Nyquist fold back between the
        // true harmonics (the true ones are multiples of 1661 Hz)
        const int rate = 22050, n = 22050;
        double dt = 1661.0 / rate;
        var blep = new float[n];
        var naive = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            blep[i] = (float)Oscillator.Saw(phase, dt);
            naive[i] = (float)(2 * phase - 1);
            phase = Oscillator.Advance(phase, dt);
        }

        // When measuring the energy that is not at a harmonic (bins more than 20 Hz from one)
        double Inharmonic(float[] x)
        {
            double[] power = SpectrumProbe.Power(x);
            double sum = 0, total = 0;
            for (int k = 1; k < power.Length; k++)
            {
                double hz = k * (double)rate / n;
                double distance = Math.Abs(hz - 1661 * Math.Round(hz / 1661));
                total += power[k];
                if (distance > 20) sum += power[k];
            }
            return sum / total;
        }

        // Then PolyBLEP has several times less of it
        double withBlep = Inharmonic(blep), without = Inharmonic(naive);
        Assert.True(withBlep < without / 3, $"inharmonic share {withBlep:P2} with PolyBLEP, {without:P2} naive");
    }

    [Fact]
    public void Should_make_a_square_of_plus_and_minus_one_halves()
    {
        // Given a slow square (little smoothing at the edges)
        double dt = 1.0 / 1000, phase = 0, sum = 0;
        int high = 0;

        // When sampling one period
        for (int i = 0; i < 1000; i++)
        {
            double y = Oscillator.Square(phase, dt);
            sum += y;
            if (y > 0.99) high++;
            phase = Oscillator.Advance(phase, dt);
        }

        // Then it has no DC and spends half the period high
        Assert.Equal(0, sum / 1000, 2);
        Assert.InRange(high, 490, 500);
    }
}
