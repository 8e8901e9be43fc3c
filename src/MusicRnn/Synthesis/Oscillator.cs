namespace MusicRnn.Synthesis;

/// <summary>
/// Band-limited sawtooth and square waves by PolyBLEP: the naive waveforms jump once a
/// period, and at 22050 Hz those jumps alias into inharmonic whistles; a two-sample polynomial
/// correction around each jump removes most of that for almost no cost.
/// </summary>
internal static class Oscillator
{
    /// <summary>Sawtooth in [-1, 1] at phase in [0, 1), for a frequency of <paramref name="dt"/> cycles per sample.</summary>
    public static double Saw(double phase, double dt) => 2 * phase - 1 - PolyBlep(phase, dt);

    /// <summary>Square in [-1, 1]: the difference of two saws half a period apart (odd harmonics only, hollower than the saw).</summary>
    public static double Square(double phase, double dt)
    {
        double shifted = phase + 0.5;
        if (shifted >= 1) shifted -= 1;
        return Saw(phase, dt) - Saw(shifted, dt);
    }

    /// <summary>Advances a phase in [0, 1) by <paramref name="dt"/>, wrapping.</summary>
    public static double Advance(double phase, double dt)
    {
        phase += dt;
        return phase >= 1 ? phase - 1 : phase;
    }

    // The residual between an ideal band-limited step and a naive one, approximated by a
    // quadratic on the sample before and the sample after the discontinuity.
    private static double PolyBlep(double t, double dt)
    {
        if (t < dt)
        {
            double x = t / dt;
            return x + x - x * x - 1;
        }
        if (t > 1 - dt)
        {
            double x = (t - 1) / dt;
            return x * x + x + x + 1;
        }
        return 0;
    }

    /// <summary>Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz).</summary>
    public static double MidiToHz(double note) => 440 * Math.Pow(2, (note - 69) / 12);
}
