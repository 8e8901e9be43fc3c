namespace MusicRnn.Analysis;

/// <summary>
/// The fixed analysis every musical measurement is made in: a Hann STFT of the decoded audio, its
/// power through a Slaney mel filterbank, in decibels. Independent of any codec and model, so a
/// number measured on the output of an <c>rfft</c> frame model and of a sample-level model means
/// the same (docs/ARCHITECTURE.md, Analysis).
/// </summary>
/// <remarks>
/// <para>Defaults: N = 2048-sample Hann windows (93 ms at 22050 Hz: long enough to separate the
/// harmonics of a bass note, short enough for a sixteenth note at 160 BPM), a hop of 512 (43 frames
/// a second, the usual resolution of onset and tempo analysis), 64 bands from 30 Hz to half the
/// audio's own rate. Frames are not padded: frame t covers samples [t·hop, t·hop + N), so audio
/// shorter than N has no frames.</para>
/// <para>Level: band b of frame t is L = 10·log10(max(rate · Σ_k w_bk |X_k|² / (N · Σ_n h_n²), floor)),
/// with X the FFT of the windowed frame, h the window and w the area-normalised mel weights. Since
/// Σ_k w_bk · rate/N ≈ 1, the argument is the mean power spectral density over the band times the
/// rate: white noise of variance σ² reads 10·log10 σ² in every band, whatever the band's width and
/// the sample rate. So 0 dB is the density of full-scale white noise, a −20 dBFS noise reads −20 dB,
/// and a tone reads higher in its band than its dBFS level (its power sits in one band).</para>
/// <para>Floor: <see cref="FloorDb"/> (−100 dB, below the quantisation noise of 16-bit audio at
/// −101 dBFS): digital silence reads exactly the floor instead of −∞. A frame is silent when the
/// mean power over its bands is below <see cref="SilenceDb"/> (−60 dB, the silence level of the
/// generation report's AudioStatistics): silent frames copy nothing and loop nothing.</para>
/// </remarks>
public sealed record LogMelSettings
{
    /// <summary>The settings every metric uses.</summary>
    public static LogMelSettings Default { get; } = new();

    /// <summary>N, samples per analysis window (and FFT length).</summary>
    public int FrameLength { get; init; } = 2048;

    /// <summary>Samples between the starts of consecutive frames.</summary>
    public int Hop { get; init; } = 512;

    /// <summary>Mel bands per frame.</summary>
    public int Bands { get; init; } = 64;

    /// <summary>Lower edge of the first band in Hz; the last band ends at half the sample rate.</summary>
    public double MinHz { get; init; } = 30;

    /// <summary>The lowest level a band can read, in dB (0 dB = full-scale white noise).</summary>
    public double FloorDb { get; init; } = -100;

    /// <summary>A frame whose mean band power is below this level (dB) is silent.</summary>
    public double SilenceDb { get; init; } = -60;

    /// <summary>Frames per second at <paramref name="sampleRate"/>.</summary>
    public double FramesPerSecond(int sampleRate) => (double)sampleRate / Hop;

    /// <summary>
    /// Seconds of audio that <paramref name="frames"/> consecutive frames stand for:
    /// (frames − 1)·hop + N/2 samples; 0 for none.
    /// </summary>
    /// <remarks>
    /// A Hann window weighs its middle: its equivalent width Σh_n / max h is N/2, and a frame matches
    /// another (a copy, a repeat) as long as that middle does, though a quarter of the window at either
    /// end holds other audio. So a run of frames stands for the audio from a quarter window into the
    /// first to a quarter window into the last. Copies of exactly 3 s at four offsets against the grid
    /// match in runs of 127–129 frames (whether the frames over a copy's edges, part copy and part
    /// other audio, still match depends on the audio there): 2.972–3.019 s by this measure, where the
    /// full extent of the windows would say 3.019–3.065 s.
    /// </remarks>
    public double SpanSeconds(long frames, int sampleRate) =>
        frames <= 0 ? 0 : (((frames - 1) * (double)Hop) + (FrameLength / 2.0)) / sampleRate;

    /// <summary>Where the audio frame <paramref name="frame"/> stands for begins, in seconds: a quarter window into it (see <see cref="SpanSeconds"/>).</summary>
    /// <param name="frame">Index of the frame.</param>
    /// <param name="hop">Samples between frames (the hop, or a finer one).</param>
    /// <param name="sampleRate">Samples per second.</param>
    public double StartSeconds(long frame, int hop, int sampleRate) => ((frame * (double)hop) + (FrameLength / 4.0)) / sampleRate;

    /// <summary>The same analysis with <paramref name="phases"/> frames per hop (hop/phases apart).</summary>
    public LogMelSettings Finer(int phases)
    {
        if (phases < 1 || Hop % phases != 0)
            throw new ArgumentOutOfRangeException(nameof(phases), $"expected a divisor of the hop {Hop}, got {phases}");
        return this with { Hop = Hop / phases };
    }

    /// <summary>Checks the settings against a sample rate; throws naming the field out of range.</summary>
    public void Validate(int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), $"expected a positive rate, got {sampleRate}");
        if (FrameLength < 16 || FrameLength % 2 != 0)
            throw new ArgumentException($"{nameof(FrameLength)}: expected an even length of at least 16 samples, got {FrameLength}");
        if (Hop < 1 || Hop > FrameLength)
            throw new ArgumentException($"{nameof(Hop)}: expected 1 to {FrameLength} samples, got {Hop}");
        if (Bands < 1) throw new ArgumentException($"{nameof(Bands)}: expected at least 1 band, got {Bands}");
        if (!(MinHz >= 0 && MinHz < sampleRate / 2.0))
            throw new ArgumentException($"{nameof(MinHz)}: expected 0 to {sampleRate / 2.0} Hz at {sampleRate} Hz, got {MinHz}");
        if (!double.IsFinite(FloorDb)) throw new ArgumentException($"{nameof(FloorDb)}: expected a finite level, got {FloorDb}");
        if (!(SilenceDb > FloorDb)) throw new ArgumentException($"{nameof(SilenceDb)}: expected a level above the floor {FloorDb} dB, got {SilenceDb}");
    }
}
