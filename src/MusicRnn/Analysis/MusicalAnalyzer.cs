namespace MusicRnn.Analysis;

/// <summary>
/// Measures a generated sample against a <see cref="MusicalReference"/> as the sample is made:
/// audio goes in piece by piece, <see cref="MusicalMetrics"/> come out at the end.
/// </summary>
/// <remarks>
/// The sample is analysed once, on the fine grid of <see cref="FrameMatching"/> (hop/P); every P-th
/// fine frame is a frame of the ordinary analysis and feeds the onset envelope (tempo), the Gaussian
/// fit (timbre) and the copy tracker, while the loop tracker takes every fine frame. Memory: the
/// reference's training frames (shared, not copied), the loop history (at most
/// <see cref="LoopTracker.DefaultMaxLagSeconds"/> of fine frames), the onset envelope (8 bytes a
/// frame) and one STFT batch. Cutting the audio into pieces changes nothing (tested).
/// </remarks>
public sealed class MusicalAnalyzer : IDisposable
{
    private readonly MusicalReference reference;
    private readonly LogMelAnalyzer analyzer;
    private readonly OnsetEnvelope envelope = new();
    private readonly GaussianFit timbre;
    private readonly CopyTracker copies;
    private readonly LoopTracker loops;
    private readonly int phases;
    private long fineFrames;
    private long coarseFrames;
    private long samples;

    /// <param name="reference">The song the sample is measured against.</param>
    public MusicalAnalyzer(MusicalReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        this.reference = reference;
        var matching = reference.Matching;
        phases = matching.Phases;
        analyzer = new LogMelAnalyzer(matching.SampleRate, matching.FineSettings);
        timbre = new GaussianFit(matching.Settings.Bands);
        copies = new CopyTracker(reference.FineTraining, matching);
        loops = new LoopTracker(matching);
    }

    /// <summary>Measures a whole sample at once.</summary>
    public static MusicalMetrics Measure(ReadOnlySpan<float> audio, MusicalReference reference)
    {
        using var analysis = new MusicalAnalyzer(reference);
        analysis.Add(audio);
        return analysis.Result();
    }

    /// <summary>Takes the sample's next samples.</summary>
    public void Add(ReadOnlySpan<float> audio)
    {
        samples += audio.Length;
        var fine = analyzer.Add(audio);
        if (fine.Count == 0) return;
        loops.Add(fine);
        // The first fine frame of this block whose index is a multiple of P.
        var first = (int)((phases - (fineFrames % phases)) % phases);
        var coarse = fine.Every(phases, first);
        fineFrames += fine.Count;
        coarseFrames += coarse.Count;
        envelope.Add(coarse);
        timbre.Add(coarse);
        copies.Add(coarse);
    }

    /// <summary>The metrics of the audio so far.</summary>
    public MusicalMetrics Result()
    {
        var matching = reference.Matching;
        var tempo = TempoEstimator.Estimate(envelope, matching.Settings.FramesPerSecond(matching.SampleRate));
        var copy = copies.Result();
        var loop = loops.Result();
        return new MusicalMetrics
        {
            DurationSeconds = (double)samples / matching.SampleRate,
            Frames = coarseFrames,
            TempoBpm = tempo?.Bpm,
            Periodicity = tempo?.Periodicity,
            TempoView = tempo is null ? null : tempo.View == OnsetView.Power ? "power" : "log",
            TimbreDistance = timbre.IsDefined && reference.TimbreTarget.IsDefined ? FrechetDistance.Between(timbre, reference.TimbreTarget) : null,
            TimbreReference = reference.TimbreName,
            CopiedSeconds = copy.Seconds,
            CopiedAtSeconds = copy.SampleStartSeconds,
            CopiedFromSeconds = copy.TrainingStartSeconds,
            LoopSeconds = loop.Seconds,
            LoopPeriodSeconds = loop.PeriodSeconds,
            LoopAtSeconds = loop.StartSeconds,
            StaticSeconds = loop.StaticSeconds,
            MatchToleranceDb = matching.ToleranceDb,
        };
    }

    public void Dispose() => copies.Dispose();
}
