namespace MusicRnn.Analysis;

/// <summary>How much of a sample repeats its own earlier audio, and how much of it stands still.</summary>
public sealed record LoopMetrics
{
    /// <summary>Length in seconds of the longest stretch that repeats the sample's audio from at least the minimum lag earlier; 0 for none.</summary>
    public double Seconds { get; init; }

    /// <summary>How far back that stretch repeats from (the loop's period), in seconds; null for none.</summary>
    public double? PeriodSeconds { get; init; }

    /// <summary>Where that stretch starts in the sample, in seconds; null for none.</summary>
    public double? StartSeconds { get; init; }

    /// <summary>Length in seconds of the longest stretch in which the sound does not change (a drone, a frozen texture, steady noise).</summary>
    public double StaticSeconds { get; init; }
}

/// <summary>
/// Loops: compares each log-mel frame of a sample with the sample's own earlier frames, from
/// <see cref="MinLagSeconds"/> to <see cref="MaxLagSeconds"/> back, and keeps the longest run that
/// repeats earlier audio — the failure a sample-level generator shows when it gets stuck on a phrase.
/// </summary>
/// <remarks>
/// <para>Recurrence by lag: with the sample's frames on the fine grid (P per hop, see
/// <see cref="FrameMatching"/>) and ℓ a lag in fine steps, the repetition ending at coarse frame j
/// has length R[j, ℓ] = M(j, j·P − ℓ)·(R[j − 1, ℓ] + 1); one row over lags is kept, beside a history
/// of the last <see cref="MaxLagSeconds"/> of fine frames and a quarter more (64 floats per 128
/// samples: 3.3 MB for the default minute at 22050 Hz). The fine grid matters as much as for copies: a loop's period is rarely a
/// whole number of hops.</para>
/// <para>Minimum lag, 1 s: below it, repetition is texture, not a loop — consecutive frames of a
/// held note, the beat of a drum pattern. A loop shorter than 1 s is still found, at the multiple
/// of its period that first reaches 1 s, with the run shortened by that multiple. Maximum lag,
/// 60 s by default: a return after a minute is form (a chorus), and memory stays bounded.</para>
/// <para>Static textures are not loops. A drone, a frozen spectrum or steady noise matches itself at
/// every lag, so it would read as a loop as long as itself; but what a listener hears there is
/// stasis, and it says nothing about phrases repeating. A coarse frame is static when it matches
/// the frame one window length (N samples, the nearest frame sharing no samples with it) before;
/// a run of repetition counts as a loop only once it contains a frame that is not static, i.e.
/// something in it changes. Static stretches are reported on their own
/// (<see cref="LoopMetrics.StaticSeconds"/>): the longest run of static frames, extended back by
/// the window they were compared with. Silent frames break every run (silence is the silence
/// fraction's business).</para>
/// </remarks>
public sealed class LoopTracker
{
    /// <summary>Default shortest lag of a loop.</summary>
    public const double DefaultMinLagSeconds = 1;

    /// <summary>Default longest lag of a loop.</summary>
    public const double DefaultMaxLagSeconds = 60;

    private readonly FrameMatching matching;
    private readonly int bands;
    private readonly int phases;
    private readonly int minLag;               // fine steps
    private readonly int maxLag;
    private readonly int staticLag;            // fine steps: one window length
    private readonly int reachBack;            // the farthest back any frame is compared
    private readonly int[] run;                // R[·, ℓ], indexed by ℓ
    private readonly bool[] changed;           // whether that run holds a non-static frame
    private readonly float[] history;          // fine frames from historyStart on
    private readonly bool[] silent;
    private long historyStart;
    private long fineFrames;
    private long bestRun;
    private int bestLag;
    private long bestEnd = -1;
    private long staticRun;
    private long bestStatic;

    /// <param name="matching">The match rule (its spread normally that of the training audio).</param>
    /// <param name="minLagSeconds">Shortest lag of a loop.</param>
    /// <param name="maxLagSeconds">Longest lag of a loop.</param>
    public LoopTracker(FrameMatching matching, double minLagSeconds = DefaultMinLagSeconds, double maxLagSeconds = DefaultMaxLagSeconds)
    {
        ArgumentNullException.ThrowIfNull(matching);
        if (!(minLagSeconds > 0 && maxLagSeconds >= minLagSeconds))
            throw new ArgumentException($"expected 0 < minimum lag ≤ maximum lag, got {minLagSeconds} and {maxLagSeconds} s");
        this.matching = matching;
        bands = matching.Settings.Bands;
        phases = matching.Phases;
        var fineHop = matching.FineSettings.Hop;
        minLag = (int)Math.Ceiling(minLagSeconds * matching.SampleRate / fineHop);
        maxLag = (int)Math.Floor(maxLagSeconds * matching.SampleRate / fineHop);
        staticLag = (int)Math.Ceiling((double)matching.Settings.FrameLength / fineHop);
        MinLagSeconds = minLagSeconds;
        MaxLagSeconds = maxLagSeconds;
        run = new int[maxLag + 1];
        changed = new bool[maxLag + 1];
        reachBack = Math.Max(maxLag, staticLag);
        // Room for the lags and a quarter more: the history moves down once per quarter of them.
        var capacity = reachBack + 1 + Math.Max(1024, reachBack / 4);
        history = new float[capacity * bands];
        silent = new bool[capacity];
    }

    /// <summary>Shortest lag of a loop.</summary>
    public double MinLagSeconds { get; }

    /// <summary>Longest lag of a loop.</summary>
    public double MaxLagSeconds { get; }

    /// <summary>Takes the sample's next frames in <see cref="FrameMatching.FineSettings"/> (hop/P apart).</summary>
    public void Add(LogMelFrames frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Bands != bands) throw new ArgumentException($"expected {bands}-band frames, got {frames.Bands}", nameof(frames));
        for (var t = 0; t < frames.Count; t++)
        {
            Remember(frames.Frame(t));
            // Every P-th fine frame is a frame of the coarse analysis: those are the ones judged.
            if ((fineFrames - 1) % phases == 0) Step(fineFrames - 1);
        }
    }

    /// <summary>The loops and static stretches so far.</summary>
    public LoopMetrics Result()
    {
        var s = matching.Settings;
        var rate = matching.SampleRate;
        var stillness = bestStatic == 0 ? 0 : s.SpanSeconds(bestStatic + (staticLag / phases), rate);
        if (bestRun == 0) return new LoopMetrics { StaticSeconds = stillness };
        return new LoopMetrics
        {
            Seconds = s.SpanSeconds(bestRun, rate),
            PeriodSeconds = bestLag * (double)matching.FineSettings.Hop / rate,
            StartSeconds = s.StartSeconds((bestEnd / phases) - bestRun + 1, s.Hop, rate),
            StaticSeconds = stillness,
        };
    }

    private void Remember(ReadOnlySpan<float> frame)
    {
        var capacity = silent.Length;
        if (fineFrames - historyStart == capacity)
        {
            // Keep the frames any later frame is compared with at the front.
            var keep = reachBack;
            var drop = capacity - keep;
            history.AsSpan(drop * bands, keep * bands).CopyTo(history);
            silent.AsSpan(drop, keep).CopyTo(silent);
            historyStart += drop;
        }
        var slot = (int)(fineFrames - historyStart);
        frame.CopyTo(history.AsSpan(slot * bands, bands));
        silent[slot] = FrameMatching.IsSilent(frame, matching.Settings.SilenceDb);
        fineFrames++;
    }

    private ReadOnlySpan<float> At(long index) => history.AsSpan((int)(index - historyStart) * bands, bands);

    private bool SilentAt(long index) => silent[(int)(index - historyStart)];

    /// <summary>Judges the coarse frame at fine index <paramref name="f"/> against every lag.</summary>
    private void Step(long f)
    {
        var frame = At(f);
        if (SilentAt(f))
        {
            Array.Clear(run);
            Array.Clear(changed);
            staticRun = 0;
            return;
        }
        var isStatic = f >= staticLag && !SilentAt(f - staticLag) && matching.Matches(frame, At(f - staticLag));
        staticRun = isStatic ? staticRun + 1 : 0;
        bestStatic = Math.Max(bestStatic, staticRun);

        var reach = (int)Math.Min(maxLag, f);
        for (var lag = minLag; lag <= reach; lag++)
        {
            var match = !SilentAt(f - lag) && matching.Matches(frame, At(f - lag));
            if (!match)
            {
                run[lag] = 0;
                changed[lag] = false;
                continue;
            }
            run[lag]++;
            changed[lag] |= !isStatic;
            if (changed[lag] && run[lag] > bestRun)
            {
                bestRun = run[lag];
                bestLag = lag;
                bestEnd = f;
            }
        }
    }
}
