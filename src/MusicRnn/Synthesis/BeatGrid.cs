namespace MusicRnn.Synthesis;

/// <summary>
/// Musical time in samples: 4/4 bars of sixteen sixteenth-note steps. Every voice places its
/// notes on this one grid, which is what makes the drums, bass and lead sound locked together.
/// </summary>
internal sealed class BeatGrid
{
    public const int StepsPerBeat = 4;
    public const int BeatsPerBar = 4;
    public const int StepsPerBar = StepsPerBeat * BeatsPerBar;

    public BeatGrid(TrackSpec spec)
    {
        SampleRate = spec.SampleRate;
        Length = spec.SampleCount;
        SamplesPerBeat = 60.0 * spec.SampleRate / spec.Bpm;
        Bars = (int)Math.Ceiling(Length / (SamplesPerBeat * BeatsPerBar));
        _duckLookahead = 0.004 * SampleRate;
        _duckShape = DuckShape(SamplesPerBeat, _duckLookahead, releaseSamples: 0.12 * SampleRate);
    }

    public int SampleRate { get; }

    /// <summary>Samples in the whole track.</summary>
    public int Length { get; }

    /// <summary>Fractional: at 22050 Hz and 120 bpm a beat is exactly 11025 samples, at 128 bpm it is not.</summary>
    public double SamplesPerBeat { get; }

    public double SamplesPerStep => SamplesPerBeat / StepsPerBeat;

    /// <summary>Bars that start inside the track (the last one may be cut off).</summary>
    public int Bars { get; }

    /// <summary>First sample of a step; steps past 15 run into the following bars.</summary>
    /// <remarks>Rounded from the exact position, so timing error never accumulates over a long track.</remarks>
    public int StepStart(int bar, int step) => (int)Math.Round(((long)bar * StepsPerBar + step) * SamplesPerStep);

    public int Samples(double seconds) => (int)Math.Round(seconds * SampleRate);

    /// <summary>
    /// Side-chain ducking gain in (0, 1] at a sample: the bass and lead dip on every beat and
    /// swell back, as if a compressor listened to the kick. It keeps the kick's low end from
    /// fighting the bass (the mix stays clear and the peak low), and gives the track its pump.
    /// </summary>
    public double Duck(int sample, double depth) =>
        1 - depth * _duckShape[(int)((sample + _duckLookahead) % SamplesPerBeat)];

    private readonly double _duckLookahead;

    // One beat of the ducking envelope (0 = no dip, 1 = full dip), computed once because every
    // beat dips the same way and the bass and lead ask for it at every sample.
    private readonly float[] _duckShape;

    private static float[] DuckShape(double samplesPerBeat, double lookahead, double releaseSamples)
    {
        // The dip starts a few milliseconds before the beat and ramps down linearly, so the
        // gain change itself never clicks; it then recovers exponentially.
        var shape = new float[(int)Math.Ceiling(samplesPerBeat) + 1];
        for (int i = 0; i < shape.Length; i++)
            shape[i] = (float)(i < lookahead ? i / lookahead : Math.Exp(-(i - lookahead) / releaseSamples));
        return shape;
    }
}
