namespace MusicRnn.Synthesis;

/// <summary>
/// A two-pole state-variable filter in the trapezoidal (zero-delay-feedback) form of
/// Zavalishin and Simper. It gives low-, band- and high-pass from one state, stays stable for
/// any cutoff below Nyquist and for cutoffs that move every sample — the bass and lead sweep
/// theirs with an envelope, which would make the classic Chamberlin form blow up near fs/6.
/// </summary>
internal struct StateVariableFilter
{
    /// <summary>
    /// Samples between retunings when a cutoff follows an envelope: under a millisecond at every
    /// supported rate, faster than the ear follows a sweep, and it spares a tan() per sample.
    /// </summary>
    public const int ControlPeriod = 16;

    private readonly double _sampleRate;
    private double _ic1;
    private double _ic2;
    private double _a1, _a2, _a3, _k;

    public StateVariableFilter(int sampleRate, double cutoffHz, double q)
    {
        _sampleRate = sampleRate;
        Tune(cutoffHz, q);
    }

    /// <summary>Outputs of the latest <see cref="Process"/>.</summary>
    public double Low { get; private set; }

    public double Band { get; private set; }

    public double High { get; private set; }

    /// <summary>Sets cutoff and resonance; the cutoff is clamped below Nyquist, where the prewarp tan() diverges.</summary>
    public void Tune(double cutoffHz, double q)
    {
        double cutoff = Math.Clamp(cutoffHz, 10, 0.45 * _sampleRate);
        double g = Math.Tan(Math.PI * cutoff / _sampleRate);
        _k = 1 / q;
        _a1 = 1 / (1 + g * (g + _k));
        _a2 = g * _a1;
        _a3 = g * _a2;
    }

    public void Process(double input)
    {
        double v3 = input - _ic2;
        double v1 = _a1 * _ic1 + _a2 * v3;
        double v2 = _ic2 + _a2 * _ic1 + _a3 * v3;
        _ic1 = 2 * v1 - _ic1;
        _ic2 = 2 * v2 - _ic2;
        Low = v2;
        Band = v1;
        High = input - _k * v1 - v2;
    }
}
