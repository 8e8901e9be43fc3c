using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Analysis;

/// <summary>
/// Turns audio that arrives in pieces into the log-mel frames of <see cref="LogMelSettings"/>,
/// holding at most one batch of samples: minutes or hours of audio stay in bounded memory.
/// </summary>
/// <remarks>
/// Samples gather in a buffer of N + (B − 1)·hop samples, B = <see cref="BatchFrames"/>; a full
/// buffer becomes B frames in one <c>torch.stft</c> (Hann window, periodic, not centred, so frame t
/// starts at sample t·hop exactly and no padding invents audio), whose power spectra go through the
/// Slaney filterbank (<see cref="MelFilterbank"/>, area-normalised), each band summing the few bins
/// under its triangle in float64; the buffer then
/// keeps the N − hop samples the next frame shares with the batch. Frames are the same whichever way
/// the audio is cut into pieces: every frame is computed from the same N samples by the same
/// operations in the same order (a test checks chunked against one-piece analysis). Everything after
/// the STFT is managed code, so no tensor operation here takes a temporary Scalar (see NoCollection). Scaling
/// and floor: <see cref="LogMelSettings"/>.
/// </remarks>
public sealed class LogMelAnalyzer
{
    /// <summary>Frames computed per STFT call.</summary>
    public const int BatchFrames = 256;

    private readonly LogMelSettings settings;
    private readonly int[] firstBin;          // each band's weights: bins firstBin[b] … firstBin[b] + weights[b].Length − 1
    private readonly double[][] weights;      // filterbank × rate/(N·Σh²), the non-zero part of each band
    private readonly int bins;
    private readonly float[] buffer;
    private int filled;

    /// <param name="sampleRate">Samples per second of the audio to come.</param>
    /// <param name="settings">The analysis; <see cref="LogMelSettings.Default"/> when null.</param>
    public LogMelAnalyzer(int sampleRate, LogMelSettings? settings = null)
    {
        this.settings = settings ?? LogMelSettings.Default;
        this.settings.Validate(sampleRate);
        SampleRate = sampleRate;
        var n = this.settings.FrameLength;
        var bank = new MelFilterbank(this.settings.Bands, n, sampleRate, this.settings.MinHz);
        // Σ h² of the periodic Hann window h_n = sin²(πn/N) is 3N/8 exactly.
        var scale = sampleRate / (n * (3.0 * n / 8));
        bins = bank.Bins;
        firstBin = new int[bank.Bands];
        weights = new double[bank.Bands][];
        for (var b = 0; b < bank.Bands; b++)
        {
            var (lo, hi) = (0, bins - 1);
            while (lo < bins && bank[b, lo] == 0) lo++;
            while (hi > lo && bank[b, hi] == 0) hi--;
            firstBin[b] = Math.Min(lo, bins - 1);
            weights[b] = lo >= bins ? [] : Enumerable.Range(lo, hi - lo + 1).Select(k => bank[b, k] * scale).ToArray();
        }
        buffer = new float[n + ((BatchFrames - 1) * this.settings.Hop)];
    }

    /// <summary>Samples per second of the audio.</summary>
    public int SampleRate { get; }

    /// <summary>The analysis.</summary>
    public LogMelSettings Settings => settings;

    /// <summary>Frames made so far.</summary>
    public long FramesMade { get; private set; }

    /// <summary>Samples taken so far.</summary>
    public long SamplesTaken { get; private set; }

    /// <summary>The log-mel frames of a whole piece of audio (analysed in batches, so long audio is fine).</summary>
    public static LogMelFrames Compute(ReadOnlySpan<float> audio, int sampleRate, LogMelSettings? settings = null) =>
        new LogMelAnalyzer(sampleRate, settings).Add(audio);

    /// <summary>Takes the next samples and returns the frames they complete (possibly none).</summary>
    /// <exception cref="ArgumentException">A sample is NaN or infinite (it would poison every level after it).</exception>
    public LogMelFrames Add(ReadOnlySpan<float> audio)
    {
        for (var i = 0; i < audio.Length; i++)
            if (!float.IsFinite(audio[i]))
                throw new ArgumentException($"sample {SamplesTaken + i} is {audio[i]}: audio to analyse must be finite", nameof(audio));
        SamplesTaken += audio.Length;
        var blocks = new List<LogMelFrames>();
        while (!audio.IsEmpty)
        {
            var take = Math.Min(audio.Length, buffer.Length - filled);
            audio[..take].CopyTo(buffer.AsSpan(filled));
            filled += take;
            audio = audio[take..];
            if (filled == buffer.Length) blocks.Add(Flush(BatchFrames));
        }
        // What is left forms fewer frames than a batch; they are made now, so a caller sees every
        // frame its audio completes, and their samples stay for the frames that follow.
        var ready = filled < settings.FrameLength ? 0 : ((filled - settings.FrameLength) / settings.Hop) + 1;
        if (ready > 0) blocks.Add(Flush(ready));
        return blocks.Count == 1 ? blocks[0] : LogMelFrames.Concat(blocks, settings.Bands);
    }

    /// <summary>Makes the first <paramref name="frames"/> frames of the buffer and drops the samples only they used.</summary>
    private LogMelFrames Flush(int frames)
    {
        var n = settings.FrameLength;
        var hop = settings.Hop;
        var length = n + ((frames - 1) * hop);
        float[] spectrum;
        using (NewDisposeScope())
        {
            var samples = tensor(buffer.AsSpan(0, length).ToArray(), ScalarType.Float32);
            var window = hann_window(n, periodic: true, dtype: ScalarType.Float32);
            var complex = samples.stft(n, hop, n, window, center: false, return_complex: true);   // [bins, frames]
            // Flattened first: TorchSharp copies a 1-D tensor out in one loop, higher ranks element by element.
            spectrum = view_as_real(complex).flatten().data<float>().ToArray();                    // [bins, frames, 2]
        }
        // |X|² = re² + im², transposed to [frames, bins]; done here because libtorch's reduction over
        // the pairs was the slowest step of the whole analysis.
        var power = new float[frames * bins];
        for (var k = 0; k < bins; k++)
            for (var t = 0; t < frames; t++)
            {
                var re = spectrum[((k * frames) + t) * 2];
                var im = spectrum[(((k * frames) + t) * 2) + 1];
                power[(t * bins) + k] = (re * re) + (im * im);
            }
        var bands = settings.Bands;
        var mel = new float[frames * bands];
        var floor = (float)settings.FloorDb;
        for (var t = 0; t < frames; t++)
        {
            var spectrumRow = power.AsSpan(t * bins, bins);
            for (var b = 0; b < bands; b++)
            {
                // Each band sums only the bins under its triangle, in float64 and in a fixed order: a
                // frame's levels do not depend on which batch it was computed in.
                double sum = 0;
                var w = weights[b];
                var bin = spectrumRow.Slice(firstBin[b], w.Length);
                for (var k = 0; k < w.Length; k++) sum += w[k] * bin[k];
                // A power of exactly zero (digital silence) would be −∞; the floor stands for it.
                var db = (float)(10 * Math.Log10(sum));
                mel[(t * bands) + b] = db > floor ? db : floor;
            }
        }
        // Frame `frames` starts at frames·hop: everything before it is no longer needed.
        var consumed = frames * hop;
        buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
        filled -= consumed;
        FramesMade += frames;
        return new LogMelFrames(mel, settings.Bands);
    }
}
