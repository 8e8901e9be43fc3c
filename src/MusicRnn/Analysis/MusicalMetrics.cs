namespace MusicRnn.Analysis;

/// <summary>
/// What a piece of generated audio keeps of the song, measured on the decoded audio: its beat, its
/// timbre, and how much of it copies the training audio or repeats itself. Loudness and silence
/// are the generation report's AudioMetrics; they are not repeated here.
/// </summary>
public sealed record MusicalMetrics
{
    /// <summary>Length of the audio in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Analysis frames (hop apart) measured.</summary>
    public long Frames { get; init; }

    /// <summary>Tempo in BPM (<see cref="TempoEstimator"/>); null when the audio is shorter than two beats at 60 BPM or shows no peak.</summary>
    public double? TempoBpm { get; init; }

    /// <summary>Periodicity strength at that tempo: 1 = every beat's onsets repeat exactly, ≈ 0 = noise.</summary>
    public double? Periodicity { get; init; }

    /// <summary>"log" or "power": the onset view the beat was found in.</summary>
    public string? TempoView { get; init; }

    /// <summary>Fréchet distance (dB²) between Gaussians of this audio's log-mel frames and the reference's (<see cref="TimbreReference"/>).</summary>
    public double? TimbreDistance { get; init; }

    /// <summary>What <see cref="TimbreDistance"/> is measured against: "held-out" audio, or "training" when none was held out.</summary>
    public string? TimbreReference { get; init; }

    /// <summary>The longest stretch copied from the training audio, in seconds.</summary>
    public double CopiedSeconds { get; init; }

    /// <summary>Where that copy starts in this audio (seconds); null when nothing was copied.</summary>
    public double? CopiedAtSeconds { get; init; }

    /// <summary>Where the copied audio starts in the training audio (seconds); null when nothing was copied.</summary>
    public double? CopiedFromSeconds { get; init; }

    /// <summary>The longest stretch repeating this audio's own audio from at least a second before, in seconds.</summary>
    public double LoopSeconds { get; init; }

    /// <summary>How far back that stretch repeats from (the loop's period), in seconds; null for no loop.</summary>
    public double? LoopPeriodSeconds { get; init; }

    /// <summary>Where that stretch starts in this audio (seconds); null for no loop.</summary>
    public double? LoopAtSeconds { get; init; }

    /// <summary>The longest stretch in which the sound does not change, in seconds (not counted as a loop).</summary>
    public double StaticSeconds { get; init; }

    /// <summary>The tolerance frames were matched within (RMS over bands, dB) for copies, loops and stasis.</summary>
    public double MatchToleranceDb { get; init; }
}

/// <summary>
/// What the numbers of <see cref="MusicalMetrics"/> are read against: the song measured the same way.
/// </summary>
public sealed record MusicalReferencePoints
{
    /// <summary>Tempo of the held-out audio (the training audio when none was held out).</summary>
    public double? HeldOutTempoBpm { get; init; }

    /// <summary>Periodicity strength of the held-out audio at its tempo.</summary>
    public double? HeldOutPeriodicity { get; init; }

    /// <summary>Tempo of the whole song (training then held-out audio): found where the held-out tail is too short for one.</summary>
    public double? SongTempoBpm { get; init; }

    /// <summary>Periodicity strength of the whole song at its tempo.</summary>
    public double? SongPeriodicity { get; init; }

    /// <summary>Timbre distance of the held-out audio against the training audio: about what a sample that sounds like the training audio (a copy of it, say) scores against the held-out audio; null when nothing was held out.</summary>
    public double? HeldOutTimbreDistance { get; init; }

    /// <summary>Timbre distance of the song's first half against its second half.</summary>
    public double? HalvesTimbreDistance { get; init; }

    /// <summary>Timbre distance of seeded white noise (the song's length and RMS) against the song: a sample with nothing of the song.</summary>
    public double? NoiseTimbreDistance { get; init; }

    /// <summary>How much the held-out audio "copies" the training audio, in seconds: the song's own repetition across the split; null when nothing was held out.</summary>
    public double? HeldOutCopiedSeconds { get; init; }

    /// <summary>The held-out audio's own loops, in seconds (the song's repetition within itself; the training audio's when nothing was held out).</summary>
    public double? HeldOutLoopSeconds { get; init; }

    /// <summary>Spread of the training frames (dB) that the match tolerance is a fraction of.</summary>
    public double SpreadDb { get; init; }

    /// <summary>The match tolerance (dB).</summary>
    public double MatchToleranceDb { get; init; }
}
