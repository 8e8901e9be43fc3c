using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>Level and texture of a piece of audio, as written to the generation report.</summary>
public sealed record AudioMetrics
{
    /// <summary>Length in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Number of mono samples.</summary>
    public long Samples { get; init; }

    /// <summary>Root mean square of the samples (full scale = 1).</summary>
    public double RmsLinear { get; init; }

    /// <summary>20·log10 of <see cref="RmsLinear"/>; null for pure silence (−∞ has no JSON form).</summary>
    public double? RmsDbfs { get; init; }

    /// <summary>Fraction of <see cref="AudioStatistics.SilenceBlockSeconds"/> blocks whose RMS is below <see cref="AudioStatistics.SilenceThresholdDbfs"/>.</summary>
    public double SilenceFraction { get; init; }

    /// <summary>
    /// Mean spectral flatness over the non-silent analysis blocks (0 = a pure tone, ≈0.56 = white
    /// noise, see <see cref="AudioStatistics"/>); null when every block is silent.
    /// </summary>
    public double? SpectralFlatness { get; init; }
}

/// <summary>
/// Accumulates <see cref="AudioMetrics"/> over audio that arrives in pieces, holding at most one
/// analysis block of samples plus a small batch of blocks for the FFT.
/// </summary>
/// <remarks>
/// Silence: the audio is cut into 20 ms blocks (the last may be shorter); a block is silent when
/// its RMS is below −60 dBFS (0.001). Spectral flatness (Wiener entropy): each non-silent block of
/// <see cref="FlatnessBlockSamples"/> samples (the tail shorter than a block is not analysed) is
/// Hann-windowed, its power spectrum P_k = |X_k|² taken over the bins 1 … N/2 − 1 (DC and Nyquist,
/// which are real-valued and distributed differently, are left out), and
/// flatness = exp(mean ln P_k) / mean P_k — the geometric over the arithmetic mean; the report is
/// its mean over blocks. A pure tone concentrates its power in a few bins, so the geometric mean
/// and the flatness are ≈ 0. White noise is not 1: its power bins are exponentially distributed
/// (χ² with 2 degrees of freedom), for which E[ln P] = ln E[P] − γ, so the flatness tends to
/// e^{−γ} ≈ 0.561 (γ = Euler's constant).
/// </remarks>
public sealed class AudioStatistics
{
    /// <summary>Length of a silence block.</summary>
    public const double SilenceBlockSeconds = 0.02;

    /// <summary>A block quieter than this is silent.</summary>
    public const double SilenceThresholdDbfs = -60;

    /// <summary>Samples per flatness block (93 ms at 22050 Hz).</summary>
    public const int FlatnessBlockSamples = 2048;

    // Blocks gathered before one batched FFT: bounds memory at 64 × 2048 doubles.
    private const int FlatnessBatch = 64;

    private static readonly double SilenceAmplitude = Math.Pow(10, SilenceThresholdDbfs / 20);

    private readonly int sampleRate;
    private readonly int silenceBlock;
    private long samples;
    private double sumSquares;
    // The silence block being filled.
    private double blockSquares;
    private int blockFill;
    private long blocks;
    private long silentBlocks;
    // The flatness block being filled, and full blocks awaiting the batched FFT.
    private readonly double[] flatnessBlock = new double[FlatnessBlockSamples];
    private int flatnessFill;
    private readonly List<double[]> pending = [];
    private double flatnessSum;
    private long flatnessBlocks;

    /// <param name="sampleRate">Samples per second of the audio to come.</param>
    public AudioStatistics(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        this.sampleRate = sampleRate;
        silenceBlock = Math.Max(1, (int)Math.Round(SilenceBlockSeconds * sampleRate));
    }

    /// <summary>Takes the next samples.</summary>
    public void Add(ReadOnlySpan<float> audio)
    {
        foreach (var x in audio)
        {
            double v = x;
            sumSquares += v * v;
            blockSquares += v * v;
            if (++blockFill == silenceBlock) CloseSilenceBlock();
            flatnessBlock[flatnessFill] = v;
            if (++flatnessFill == FlatnessBlockSamples)
            {
                pending.Add((double[])flatnessBlock.Clone());
                flatnessFill = 0;
                if (pending.Count == FlatnessBatch) FlushFlatness();
            }
        }
        samples += audio.Length;
    }

    /// <summary>The metrics of everything added so far (further samples may still be added).</summary>
    public AudioMetrics Result()
    {
        FlushFlatness();
        // A partial silence block counts as a block of its own, without closing it.
        var allBlocks = blocks + (blockFill > 0 ? 1 : 0);
        var allSilent = silentBlocks + (blockFill > 0 && IsSilent(blockSquares, blockFill) ? 1 : 0);
        var rms = samples == 0 ? 0 : Math.Sqrt(sumSquares / samples);
        return new AudioMetrics
        {
            DurationSeconds = (double)samples / sampleRate,
            Samples = samples,
            RmsLinear = rms,
            RmsDbfs = rms > 0 ? 20 * Math.Log10(rms) : null,
            SilenceFraction = allBlocks == 0 ? 0 : (double)allSilent / allBlocks,
            SpectralFlatness = flatnessBlocks == 0 ? null : flatnessSum / flatnessBlocks,
        };
    }

    private void CloseSilenceBlock()
    {
        blocks++;
        if (IsSilent(blockSquares, blockFill)) silentBlocks++;
        blockSquares = 0;
        blockFill = 0;
    }

    private static bool IsSilent(double squares, int count) => Math.Sqrt(squares / count) < SilenceAmplitude;

    private void FlushFlatness()
    {
        var loud = pending.Where(b => !IsSilent(b.Sum(v => v * v), b.Length)).ToArray();
        pending.Clear();
        if (loud.Length == 0) return;
        using var scope = NewDisposeScope();
        var n = FlatnessBlockSamples;
        var blocksTensor = tensor(loud.SelectMany(b => b).ToArray(), loud.Length, n);      // [B, N] float64
        var window = hann_window(n, periodic: true, dtype: ScalarType.Float64);
        using var two = 2.ToScalar();
        // A bin of exactly zero power would make the log −∞; the floor sits far below any real signal.
        using var floor = 1e-30.ToScalar();
        var power = fft.rfft(blocksTensor * window, dim: 1).abs().pow(two).narrow(1, 1, n / 2 - 1);  // [B, N/2 − 1]
        var logMean = power.clamp_min(floor).log().mean(new long[] { 1 });
        var flatness = logMean.exp() / power.mean(new long[] { 1 }).clamp_min(floor);   // [B]
        flatnessSum += flatness.sum().item<double>();
        flatnessBlocks += loud.Length;
    }
}
