using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// What the magnitude codecs (<c>stft</c>, <c>mel</c>) share: a Hann-windowed short-time Fourier
/// transform with hop H = N/R, a feature map of its magnitudes that each leaf defines, and a decode
/// that maps features back to magnitudes and rebuilds their phase by fast Griffin-Lim
/// (docs/ARCHITECTURE.md, "Codecs"). Not exact: what comes back has the magnitudes asked for, as far
/// as a consistent spectrogram can, with a phase of its own.
/// </summary>
/// <remarks>
/// Transform: w_n = ½ − ½ cos(2πn/N) (the periodic Hann window), X_f(k) = Σ_n w_n x_{fH+n} e^{−2πi kn/N}
/// for the N/2 + 1 bins k = 0 … N/2, computed in float64 and handed to the leaf's feature map.
///
/// Layout (the <see cref="IFrameCodec"/> length contract). R = N/H must be a whole number of at least
/// 2. Like the MDCT, Encode puts N − H zeros before the song, so that frame f covers song samples
/// [fH − (N − H), fH + H): the song's hop j (samples [jH, jH + H)) is the last hop of frame j and lies
/// in exactly the R frames j … j + R − 1. Every song sample is thus covered by R windows, the start
/// included. L samples give F = ⌈L/H⌉ + R − 1 frames, the end zero-padded so the last hop is covered
/// R times too. Decode of F frames gives F·H samples, hops 0 … F − 1, whose first L are the song; its
/// last R − 1 hops lie in fewer than R frames and fade out (frames past the end are taken as zero).
///
/// Decoding is done by <see cref="GriffinLimStream"/> in windows of a bounded number of frames, so
/// <see cref="Decode"/> and the stream from <see cref="StartDecoding"/> give the same samples bit for
/// bit and memory does not grow with the length.
/// </remarks>
public abstract class SpectralCodec : IStreamingCodec
{
    /// <summary>Griffin-Lim iterations unless <c>--phase-iters</c> says otherwise (librosa's and torchaudio's default).</summary>
    public const int DefaultPhaseIterations = 32;

    private readonly double[] _window;

    /// <param name="frameLength">N, the window and FFT length.</param>
    /// <param name="hop">H; N/H must be a whole number of at least 2.</param>
    /// <param name="phaseIterations">Fast Griffin-Lim iterations when decoding (0 keeps the initial phase estimate).</param>
    protected SpectralCodec(int frameLength, int hop, int phaseIterations)
    {
        CodecFactory.CheckFrameLength(frameLength);
        if (HopProblem(frameLength, hop) is { } problem) throw new ArgumentOutOfRangeException(nameof(hop), problem);
        ArgumentOutOfRangeException.ThrowIfNegative(phaseIterations);
        FrameLength = frameLength;
        Hop = hop;
        PhaseIterations = phaseIterations;
        _window = new double[frameLength];
        for (var n = 0; n < frameLength; n++) _window[n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / frameLength));
        GriffinLim = new GriffinLim(frameLength, hop, phaseIterations);
    }

    public abstract string Name { get; }

    public bool IsExact => false;

    public int FrameLength { get; }

    public int Hop { get; }

    public abstract int FeatureCount { get; }

    /// <summary>N/2 + 1, the FFT bins of a frame.</summary>
    public int Bins => (FrameLength / 2) + 1;

    /// <summary>R = N/H, the frames that cover each sample.</summary>
    public int Overlap => FrameLength / Hop;

    /// <summary>Griffin-Lim iterations per decoding window.</summary>
    public int PhaseIterations { get; }

    /// <summary>
    /// The magnitude floor ε of the features: 10⁻⁵ of N/4, the magnitude a full-scale sine gives
    /// its bin (Σ w_n / 2), i.e. −100 dB. It sits about 23 dB above the per-bin magnitude of 16-bit
    /// quantisation noise (√(3N/8)/(32768·√12)), so dithered and digital silence give nearly the same
    /// features, and on real music digital silence lands in the features' low tail (a z-score near
    /// −2.5 in the median bin) instead of far outside it as log 0 would.
    /// </summary>
    public double Epsilon => 1e-5 * FrameLength / 4;

    /// <summary>The phase rebuilder this codec decodes with.</summary>
    internal GriffinLim GriffinLim { get; }

    /// <summary>F = ⌈L/H⌉ + R − 1 for L &gt; 0: the last hop needs R frames (see remarks).</summary>
    public int FrameCount(int sampleCount) =>
        sampleCount <= 0 ? 0 : checked(BlockFraming.CeilFrames(sampleCount, Hop) + Overlap - 1);

    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var stream = StartEncoding();
        using var first = stream.Push(samples);
        using var rest = stream.Finish();
        return cat(new[] { first, rest }, dim: 0);
    }

    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        var stream = StartDecoding();
        var first = stream.Push(frames);
        var rest = stream.Finish();
        return rest.Length == 0 ? first : [.. first, .. rest];
    }

    public IEncodingStream StartEncoding() => new EncodingStream(this);

    public IDecodingStream StartDecoding() => new GriffinLimStream(this);

    /// <summary>What is wrong with <paramref name="hop"/> for frames of <paramref name="frameLength"/>, or null.</summary>
    public static string? HopProblem(int frameLength, int hop) =>
        hop < 1 || hop > frameLength / 2 || frameLength % hop != 0
            ? $"expected a hop that divides the frame ({frameLength} samples) and is at most {frameLength / 2}, so every sample lies in at least two whole windows; got {hop}"
            : null;

    /// <summary>The default hop: N/4, or N/2 when 4 does not divide N.</summary>
    public static int DefaultHop(int frameLength) => frameLength % 4 == 0 ? frameLength / 4 : frameLength / 2;

    /// <summary>Features of magnitude frames [frames, Bins] float64 (≥ 0): [frames, FeatureCount].</summary>
    protected abstract Tensor ToFeatures(Tensor magnitudes);

    /// <summary>Magnitudes [frames, Bins] float32 (finite, ≥ 0) of feature frames [frames, FeatureCount] float32 on the CPU.</summary>
    protected internal abstract Tensor ToMagnitudes(Tensor features);

    /// <summary>
    /// exp(min(<paramref name="logs"/>, <paramref name="ceiling"/>)) − <paramref name="floor"/>, floored at 0: the
    /// inverse of log(v + floor). The floor is taken 2⁻¹⁶ larger, so a feature within float32 rounding of log(floor)
    /// (digital silence) decodes to exactly zero rather than to rounding noise.
    /// </summary>
    protected static Tensor AboveFloor(Tensor logs, double floor, double ceiling)
    {
        using var scope = NewDisposeScope();
        using var top = ceiling.ToScalar();
        using var minus = (-floor * (1 + Math.Pow(2, -16))).ToScalar();
        using var one = 1.0.ToScalar();
        using var zero = 0.0.ToScalar();
        return logs.clamp_max(top).exp_().add_(minus, one).clamp_min_(zero).MoveToOuterDisposeScope();
    }

    /// <summary>Features of signal frames [frames, N] float64: the windowed FFT's magnitudes through <see cref="ToFeatures"/>, as float32.</summary>
    private Tensor FeaturesOf(Tensor frames)
    {
        using var scope = NewDisposeScope();
        var magnitudes = fft.rfft(frames.mul(tensor(_window)), dim: 1).abs();   // [frames, N/2 + 1]
        return ToFeatures(magnitudes).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The layout of the remarks, applied to a signal that arrives in blocks.</summary>
    private sealed class EncodingStream(SpectralCodec codec) : IEncodingStream
    {
        private readonly SlidingFrames _frames = new(codec.FrameLength, codec.Hop, codec.FrameLength - codec.Hop);

        public Tensor Push(ReadOnlySpan<float> samples)
        {
            var batches = new List<Tensor>();
            _frames.Push(samples, frames => batches.Add(codec.FeaturesOf(frames)));
            return Joined(batches);
        }

        public Tensor Finish()
        {
            var batches = new List<Tensor>();
            var total = codec.FrameCount(checked((int)_frames.SamplesPushed));
            _frames.Finish(total, frames => batches.Add(codec.FeaturesOf(frames)));
            return Joined(batches);
        }

        private Tensor Joined(List<Tensor> batches)
        {
            if (batches.Count == 1) return batches[0];
            if (batches.Count == 0) return zeros(0, codec.FeatureCount, dtype: ScalarType.Float32);
            var joined = cat(batches, dim: 0);
            foreach (var batch in batches) batch.Dispose();
            return joined;
        }
    }
}
