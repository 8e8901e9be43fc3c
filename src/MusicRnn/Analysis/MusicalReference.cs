namespace MusicRnn.Analysis;

/// <summary>
/// The song a generated sample is measured against: the training audio (for copies and the match
/// tolerance), the held-out audio (for timbre), and the <see cref="MusicalReferencePoints"/> a
/// report reads the sample's numbers against. Made once per song; any number of samples can then
/// be measured with a <see cref="MusicalAnalyzer"/>.
/// </summary>
/// <remarks>
/// Memory: the training audio's frames on the fine grid (<see cref="FrameMatching"/>: half the size
/// of the float32 audio) and the Gaussian fit timbre is measured against; the audio itself is analysed in batches and not
/// kept. The reference points: the held-out audio's tempo and periodicity (and the whole song's, which
/// a tail of a few seconds may be too short for), its timbre distance to
/// the training audio, the song's first half against its second half (the song's frames — training
/// then held-out — split at the middle frame), and white noise against the whole song. The noise is
/// Gaussian, seeded (System.Random's seeded sequence and Box–Muller: the same seed gives the same
/// noise), as long as the song and scaled to its RMS, and is generated and analysed in pieces.
/// </remarks>
public sealed class MusicalReference
{
    private const int NoiseChunk = 1 << 16;

    private MusicalReference(FrameMatching matching, LogMelFrames fineTraining, GaussianFit timbreTarget, string timbreName, MusicalReferencePoints points)
    {
        Matching = matching;
        FineTraining = fineTraining;
        TimbreTarget = timbreTarget;
        TimbreName = timbreName;
        Points = points;
    }

    /// <summary>How frames are matched for copies and loops (its spread is the training audio's).</summary>
    public FrameMatching Matching { get; }

    /// <summary>The reference points of the song.</summary>
    public MusicalReferencePoints Points { get; }

    /// <summary>Samples per second of the song and of every sample measured against it.</summary>
    public int SampleRate => Matching.SampleRate;

    internal LogMelFrames FineTraining { get; }

    internal GaussianFit TimbreTarget { get; }

    internal string TimbreName { get; }

    /// <summary>Analyses a song: the part a model trained on, and the part held out from training (may be empty).</summary>
    /// <param name="training">The training audio (mono).</param>
    /// <param name="heldOut">The held-out audio (mono); empty when nothing was held out.</param>
    /// <param name="sampleRate">Samples per second of both.</param>
    /// <param name="noiseSeed">Seed of the white-noise reference.</param>
    /// <param name="settings">The analysis; <see cref="LogMelSettings.Default"/> when null.</param>
    /// <param name="progress">Receives the stages of the analysis.</param>
    public static MusicalReference Create(ReadOnlySpan<float> training, ReadOnlySpan<float> heldOut, int sampleRate, int noiseSeed = 0, LogMelSettings? settings = null, IProgressSink? progress = null)
    {
        var s = settings ?? LogMelSettings.Default;
        s.Validate(sampleRate);
        progress ??= NullProgress.Instance;
        progress.Begin("analysing the song", 4);
        var fine = s.Finer(FrameMatching.DefaultPhases);
        var fineTraining = LogMelAnalyzer.Compute(training, sampleRate, fine);
        var fineHeldOut = LogMelAnalyzer.Compute(heldOut, sampleRate, fine);
        var coarseTraining = fineTraining.Every(FrameMatching.DefaultPhases);
        var coarseHeldOut = fineHeldOut.Every(FrameMatching.DefaultPhases);
        var matching = FrameMatching.For(coarseTraining, sampleRate, s);
        progress.Report(1);

        var trainingFit = GaussianFit.Of(coarseTraining);
        var heldOutFit = GaussianFit.Of(coarseHeldOut);
        var hasHeldOut = heldOutFit.IsDefined;
        var target = hasHeldOut ? heldOutFit : trainingFit;
        var tempo = TempoEstimator.Estimate(OnsetEnvelope.Of(hasHeldOut ? coarseHeldOut : coarseTraining), s.FramesPerSecond(sampleRate));

        var song = LogMelFrames.Concat([coarseTraining, coarseHeldOut], s.Bands);
        var half = song.Count / 2;
        var firstHalf = GaussianFit.Of(song.Slice(0, half));
        var secondHalf = GaussianFit.Of(song.Slice(half, song.Count - half));
        var songFit = GaussianFit.Of(song);
        var songTempo = TempoEstimator.Estimate(OnsetEnvelope.Of(song), s.FramesPerSecond(sampleRate));
        progress.Report(2);

        var noiseFit = NoiseFit(SongRms(training, heldOut), training.Length + heldOut.Length, sampleRate, noiseSeed, s);
        progress.Report(3);

        double? heldOutCopied = null;
        if (hasHeldOut)
        {
            using var copies = new CopyTracker(fineTraining, matching);
            copies.Add(coarseHeldOut);
            heldOutCopied = copies.Result().Seconds;
        }
        var loops = new LoopTracker(matching);
        loops.Add(hasHeldOut ? fineHeldOut : fineTraining);
        progress.Report(4);
        progress.Complete();

        var points = new MusicalReferencePoints
        {
            HeldOutTempoBpm = tempo?.Bpm,
            HeldOutPeriodicity = tempo?.Periodicity,
            SongTempoBpm = songTempo?.Bpm,
            SongPeriodicity = songTempo?.Periodicity,
            HeldOutTimbreDistance = hasHeldOut && trainingFit.IsDefined ? FrechetDistance.Between(heldOutFit, trainingFit) : null,
            HalvesTimbreDistance = firstHalf.IsDefined && secondHalf.IsDefined ? FrechetDistance.Between(firstHalf, secondHalf) : null,
            NoiseTimbreDistance = noiseFit.IsDefined && songFit.IsDefined ? FrechetDistance.Between(noiseFit, songFit) : null,
            HeldOutCopiedSeconds = heldOutCopied,
            HeldOutLoopSeconds = loops.Result().Seconds,
            SpreadDb = matching.SpreadDb,
            MatchToleranceDb = matching.ToleranceDb,
        };
        return new MusicalReference(matching, fineTraining, target, hasHeldOut ? "held-out" : "training", points);
    }

    private static double SongRms(ReadOnlySpan<float> training, ReadOnlySpan<float> heldOut)
    {
        double squares = 0;
        foreach (var x in training) squares += (double)x * x;
        foreach (var x in heldOut) squares += (double)x * x;
        var count = training.Length + heldOut.Length;
        return count == 0 ? 0 : Math.Sqrt(squares / count);
    }

    /// <summary>The Gaussian of the frames of seeded white noise of the given RMS and length.</summary>
    internal static GaussianFit NoiseFit(double rms, long samples, int sampleRate, int seed, LogMelSettings settings)
    {
        var random = new Random(seed);
        var analyzer = new LogMelAnalyzer(sampleRate, settings);
        var fit = new GaussianFit(settings.Bands);
        var chunk = new float[NoiseChunk];
        for (long done = 0; done < samples; done += chunk.Length)
        {
            var count = (int)Math.Min(chunk.Length, samples - done);
            for (var i = 0; i < count; i++)
            {
                // Box–Muller: 1 − U keeps the logarithm's argument in (0, 1].
                var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
                chunk[i] = (float)(rms * radius * Math.Cos(2 * Math.PI * random.NextDouble()));
            }
            fit.Add(analyzer.Add(chunk.AsSpan(0, count)));
        }
        return fit;
    }
}
