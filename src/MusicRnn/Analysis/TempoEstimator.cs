namespace MusicRnn.Analysis;

/// <summary>A tempo read from an onset envelope.</summary>
/// <param name="Bpm">Beats per minute, in [<see cref="TempoEstimator.MinBpm"/>, <see cref="TempoEstimator.MaxBpm"/>].</param>
/// <param name="Periodicity">
/// The correlation of the onset envelope with itself one beat later, in [−1, 1]: 1 when the onsets
/// of every beat repeat exactly (up to an affine map of their strengths), about 0 for noise.
/// </param>
/// <param name="View">The onset view in which that beat repeats most.</param>
public sealed record TempoEstimate(double Bpm, double Periodicity, OnsetView View);

/// <summary>
/// The tempo of a piece of audio and how periodic it is, from the autocorrelation of its onset
/// envelope (docs/ARCHITECTURE.md, Analysis).
/// </summary>
/// <remarks>
/// <para>Autocorrelation: for each onset view o (n values) and integer lag τ, r(τ) is the Pearson
/// correlation of o[0, n − τ) with o[τ, n) — each part minus its own mean, over the product of
/// their norms. It is 1 exactly when the envelope τ frames later is the same up to an affine map,
/// and for noise it scatters around 0 with a standard deviation of about 1/√(n − τ); a constant
/// envelope (silence) gives 0. The periodicity strength of the estimate is this r at the chosen
/// lag. A lag is periodic when either view repeats at it: R(τ) = max(r_log(τ), r_power(τ))
/// (<see cref="OnsetView"/> says why one view is not enough).</para>
/// <para>Choice of peak: the local maxima of R with lags in 60–200 BPM, each weighted by a
/// log-normal tempo preference centred at 120 BPM, one octave wide,
/// W = exp(−½ (log2(bpm/120))²) (Ellis 2007, "Beat tracking by dynamic programming", J. New Music
/// Research 36(1); librosa's default), and the largest R·W wins. Octave errors: a piece periodic at
/// a beat of τ is also periodic at 2τ, 3τ, … and often at τ/2 (eighth-note hats), and a backbeat
/// makes 2τ the strongest (it repeats the whole kick-snare pattern). The window keeps the bar
/// (30 BPM at 120) and the eighths of fast tempi (240 BPM) out; two octaves of one tempo can both
/// lie inside only for tempi of 60–100 BPM and their doubles, and there W prefers the level
/// nearer 120 BPM unless the other is clearly more periodic (at 60 vs 120 BPM, W is 0.61 vs 1: a
/// 60-BPM reading needs R 1.6 times higher). On the synthesized tracks (75–180 BPM, 5 seeds
/// each) this reads every tempo from 90 to 165 BPM right; 180 BPM reads as 90, and 75 as 150 once
/// in 5 — the preference is a guess where the audio leaves the octave open, and a report should
/// show the periodicity beside the tempo.</para>
/// <para>Sub-frame accuracy: the tempo is read from the winning view. A parabola through r at
/// τ − 1, τ, τ + 1 places the peak between frames; then the same is done around the largest
/// multiple m·τ with m ≤ 8 and m·τ ≤ n/2, whose position divided by m has m times less error (a
/// beat 21.5 frames long is measured over 8 beats). Measured on the 10-s synthesized
/// tracks above: at most 0.43 % error from the first parabola, 0.07 % after the multiple.</para>
/// </remarks>
public static class TempoEstimator
{
    /// <summary>Slowest tempo reported.</summary>
    public const double MinBpm = 60;

    /// <summary>Fastest tempo reported.</summary>
    public const double MaxBpm = 200;

    /// <summary>Centre of the tempo preference.</summary>
    public const double PreferredBpm = 120;

    /// <summary>Standard deviation of the tempo preference, in octaves.</summary>
    public const double PreferenceOctaves = 1;

    private const int MaxMultiple = 8;

    /// <summary>
    /// The tempo of the audio whose frames made <paramref name="envelope"/>; null when the envelope
    /// is shorter than two beats of the slowest tempo, or has no peak in the window.
    /// </summary>
    /// <param name="envelope">Onset envelope of the frames.</param>
    /// <param name="framesPerSecond">Frames per second of the analysis (<see cref="LogMelSettings.FramesPerSecond"/>).</param>
    public static TempoEstimate? Estimate(OnsetEnvelope envelope, double framesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(framesPerSecond);
        var n = envelope.Count;
        var shortest = 60 * framesPerSecond / MaxBpm;
        var longest = 60 * framesPerSecond / MinBpm;
        var first = Math.Max(1, (int)Math.Floor(shortest) - 1);
        var last = (int)Math.Ceiling(longest) + 1;
        if (n < 2 * last) return null;

        var views = new[] { OnsetView.LogLevel, OnsetView.Power };
        var curves = views.Select(v => Correlations(envelope.In(v), first, last)).ToArray();
        var bestScore = double.NegativeInfinity;
        var (bestPeriod, bestHeight, bestView) = (0.0, 0.0, 0);
        for (var lag = first + 1; lag < last; lag++)
        {
            var (peak, winner) = Combined(curves, lag - first);
            var (before, _) = Combined(curves, lag - first - 1);
            var (after, _) = Combined(curves, lag - first + 1);
            if (!(peak > before && peak >= after)) continue;
            var r = curves[winner];
            var (offset, height) = Parabola(r[lag - first - 1], r[lag - first], r[lag - first + 1]);
            var period = lag + offset;
            if (period < shortest || period > longest) continue;
            var score = height * Preference(60 * framesPerSecond / period);
            if (score <= bestScore) continue;
            bestScore = score;
            (bestPeriod, bestHeight, bestView) = (period, height, winner);
        }
        if (bestPeriod == 0) return null;
        var refined = Refine(envelope.In(views[bestView]), bestPeriod);
        return new TempoEstimate(60 * framesPerSecond / refined, Math.Min(1, bestHeight), views[bestView]);
    }

    /// <summary>The preference weight W of a tempo.</summary>
    public static double Preference(double bpm)
    {
        var octaves = Math.Log2(bpm / PreferredBpm) / PreferenceOctaves;
        return Math.Exp(-0.5 * octaves * octaves);
    }

    /// <summary>r(τ) for τ = <paramref name="first"/> … <paramref name="last"/>.</summary>
    internal static double[] Correlations(IReadOnlyList<float> o, int first, int last)
    {
        var r = new double[last - first + 1];
        for (var lag = first; lag <= last; lag++) r[lag - first] = Correlation(o, lag);
        return r;
    }

    /// <summary>The Pearson correlation of o[0, n − lag) with o[lag, n); 0 when either part is constant.</summary>
    internal static double Correlation(IReadOnlyList<float> o, int lag)
    {
        var count = o.Count - lag;
        if (count < 2) return 0;
        double meanA = 0, meanB = 0;
        for (var i = 0; i < count; i++)
        {
            meanA += o[i];
            meanB += o[i + lag];
        }
        meanA /= count;
        meanB /= count;
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < count; i++)
        {
            var a = o[i] - meanA;
            var b = o[i + lag] - meanB;
            ab += a * b;
            aa += a * a;
            bb += b * b;
        }
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : 0;
    }

    private static (double Value, int View) Combined(double[][] curves, int index) =>
        curves[0][index] >= curves[1][index] ? (curves[0][index], 0) : (curves[1][index], 1);

    /// <summary>Vertex of the parabola through (−1, a), (0, b), (1, c): its offset in (−½, ½) and height.</summary>
    private static (double Offset, double Height) Parabola(double a, double b, double c)
    {
        var curvature = a - (2 * b) + c;
        if (!(curvature < 0)) return (0, b);
        var offset = Math.Clamp(0.5 * (a - c) / curvature, -0.5, 0.5);
        return (offset, b - (0.25 * (a - c) * offset));
    }

    /// <summary>The period, re-measured at the largest usable multiple of itself.</summary>
    private static double Refine(IReadOnlyList<float> o, double period)
    {
        var multiple = (int)Math.Min(MaxMultiple, Math.Floor(o.Count / 2.0 / period));
        if (multiple < 2) return period;
        var centre = (int)Math.Round(multiple * period);
        if (centre + 3 > o.Count / 2) return period;
        // A peak within two frames of the expected multiple; at the edge of that search it is not
        // the same peak, and the first measurement stands.
        var r = Correlations(o, centre - 3, centre + 3);
        var top = 1;
        for (var i = 2; i <= 5; i++) if (r[i] > r[top]) top = i;
        if (top == 1 || top == 5) return period;
        var (offset, _) = Parabola(r[top - 1], r[top], r[top + 1]);
        return (centre - 3 + top + offset) / multiple;
    }
}
