namespace MusicRnn.Synthesis;

/// <summary>
/// What <see cref="TrackSynthesizer"/> renders: how long, how fast, at which rate, and which
/// of the seeded variations. Equal specs give bit-identical samples.
/// </summary>
public sealed record TrackSpec
{
    /// <summary>Length of the track in seconds, in (0, 3600].</summary>
    public double Seconds { get; init; } = 30;

    /// <summary>Picks the progression, patterns, timbres and velocity jitter; any value is valid.</summary>
    public int Seed { get; init; }

    /// <summary>Tempo in quarter notes per minute, in [40, 300]; 120 is the house/techno norm.</summary>
    public double Bpm { get; init; } = 120;

    /// <summary>Samples per second, in [8000, 192000]; 22050 keeps the hats (above 6 kHz) below Nyquist.</summary>
    public int SampleRate { get; init; } = 22050;

    /// <summary>Throws <see cref="InputException"/> naming the CLI option of the first field out of range.</summary>
    public void Validate()
    {
        // The negated comparisons also reject NaN, which would otherwise slip through every range check.
        if (!(Seconds > 0 && Seconds <= 3600))
            throw InputException.ForOption("--seconds", $"expected a length in (0, 3600] seconds, got {Seconds}");
        if (!(Bpm >= 40 && Bpm <= 300))
            throw InputException.ForOption("--bpm", $"expected a tempo in [40, 300] beats per minute, got {Bpm}");
        if (SampleRate is < 8000 or > 192000)
            throw InputException.ForOption("--sample-rate", $"expected a rate in [8000, 192000] Hz, got {SampleRate}");
    }

    /// <summary>Number of samples <see cref="TrackSynthesizer.Render(TrackSpec)"/> returns: Seconds × SampleRate, rounded.</summary>
    public int SampleCount => (int)Math.Round(Seconds * SampleRate);
}
