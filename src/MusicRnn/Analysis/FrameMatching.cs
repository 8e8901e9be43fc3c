namespace MusicRnn.Analysis;

/// <summary>
/// When two log-mel frames count as the same sound, for copies (<see cref="CopyTracker"/>) and
/// loops (<see cref="LoopTracker"/>): the tolerance, its scale, and the finer grid of frames that
/// makes matching independent of where a copy falls against the analysis hop.
/// </summary>
/// <remarks>
/// <para>Distance: the RMS over bands of the level difference in dB, d(x, y) = ‖x − y‖₂/√B. Two frames
/// match when neither is silent (<see cref="LogMelSettings.SilenceDb"/>) and d ≤ τ·s, with s the
/// spread of the reference (training) frames, s = √(mean over bands of each band's variance),
/// taken over its non-silent frames, and τ = <see cref="Relative"/> (0.4). Relative to the spread,
/// so the tolerance means the same for a quiet and a loud, a sparse and a dense song; spread and
/// matching both skip silence, because silence matches silence exactly and a song's silent intro
/// would otherwise inflate s until everything matched.</para>
/// <para>Phases: a copy in generated audio starts at any sample, not on the analysis grid, and
/// log-mel frames half a hop (256 samples) apart differ at drum hits by up to 1.17·s (measured on the
/// synthesized track, 120 BPM, seed 0) and 0.86·s (20 s of Digital Pursuit, the real excerpt's
/// song) — more than a frame differs from the nearest other frame of its own song (median 0.51·s
/// and 0.26·s). So the reference is analysed <see cref="Phases"/> = 4 times per hop (every 128
/// samples at the default hop) and a copy is matched against the phase it falls nearest: the
/// misalignment is then at most an eighth of a hop (64 samples), where copied frames differ by at
/// most 0.34·s (synthesized: transients at full digital sharpness) and 0.22·s (real). τ = 0.4 sits
/// above that, and below what unrelated audio reaches: white noise at the song's level lies 0.77·s
/// or more from every frame of the synthesized song. The cost is memory: the reference holds P
/// frames per hop.</para>
/// </remarks>
public sealed record FrameMatching
{
    /// <summary>Default τ.</summary>
    public const double DefaultRelative = 0.4;

    /// <summary>Default number of reference frames per analysis hop.</summary>
    public const int DefaultPhases = 4;

    /// <summary>The analysis whose frames are compared (coarse: the hop every metric uses).</summary>
    public LogMelSettings Settings { get; init; } = LogMelSettings.Default;

    /// <summary>Samples per second of all audio compared.</summary>
    public int SampleRate { get; init; }

    /// <summary>Reference frames per analysis hop.</summary>
    public int Phases { get; init; } = DefaultPhases;

    /// <summary>τ, the tolerance as a fraction of <see cref="SpreadDb"/>.</summary>
    public double Relative { get; init; } = DefaultRelative;

    /// <summary>s, the spread of the reference frames in dB (0 when they are all silent).</summary>
    public double SpreadDb { get; init; }

    /// <summary>τ·s, the largest RMS level difference (dB) of matching frames.</summary>
    public double ToleranceDb => Relative * SpreadDb;

    /// <summary>The finer analysis the reference and the loop history are made in (hop/<see cref="Phases"/>).</summary>
    public LogMelSettings FineSettings => Settings.Finer(Phases);

    /// <summary>The matching whose scale is the spread of <paramref name="reference"/>'s non-silent frames.</summary>
    public static FrameMatching For(LogMelFrames reference, int sampleRate, LogMelSettings? settings = null, double relative = DefaultRelative, int phases = DefaultPhases)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfNegative(relative);
        var s = settings ?? LogMelSettings.Default;
        s.Validate(sampleRate);
        _ = s.Finer(phases);
        return new FrameMatching { Settings = s, SampleRate = sampleRate, Phases = phases, Relative = relative, SpreadDb = Spread(reference, s.SilenceDb) };
    }

    /// <summary>√(mean over bands of the variance of the non-silent frames); 0 for fewer than two.</summary>
    public static double Spread(LogMelFrames frames, double silenceDb)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var fit = new GaussianFit(frames.Bands);
        var loud = new List<float>();
        for (var t = 0; t < frames.Count; t++)
            if (!IsSilent(frames.Frame(t), silenceDb)) loud.AddRange(frames.Frame(t));
        fit.Add(new LogMelFrames([.. loud], frames.Bands));
        if (!fit.IsDefined) return 0;
        var covariance = fit.Covariance;
        double variance = 0;
        for (var b = 0; b < frames.Bands; b++) variance += covariance[b, b];
        return Math.Sqrt(variance / frames.Bands);
    }

    /// <summary>Whether a frame is too quiet to match anything.</summary>
    public static bool IsSilent(ReadOnlySpan<float> frame, double silenceDb) => LogMelFrames.FrameLevelDb(frame) < silenceDb;

    /// <summary>The largest squared Euclidean distance of matching frames: B·(τ·s)².</summary>
    internal double SquaredThreshold => Settings.Bands * ToleranceDb * ToleranceDb;

    /// <summary>Whether two non-silent frames match (squared distance computed with an early exit).</summary>
    internal bool Matches(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var limit = SquaredThreshold;
        double sum = 0;
        for (var b = 0; b < x.Length; b++)
        {
            var d = x[b] - y[b];
            sum += d * d;
            if (sum > limit) return false;
        }
        return true;
    }
}
