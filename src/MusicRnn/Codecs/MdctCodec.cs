using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The modified discrete cosine transform: frames of 2N samples with hop N, each windowed by
/// the sine window w_n = sin(π(n + ½)/2N) and turned into N coefficients
/// X_k = Σ_{n=0}^{2N-1} w_n x_n cos[π/N (n + ½ + N/2)(k + ½)].
/// Decoding windows the inverse transform y_n = (2/N) Σ_k X_k cos[π/N (n + ½ + N/2)(k + ½)]
/// again and overlap-adds: because w_n² + w_{n+N}² = 1 (Princen–Bradley), the time-domain
/// aliasing of neighbouring frames cancels (TDAC) and the signal comes back exactly, with no
/// clicks at frame edges since every frame fades in and out. (The scale is 2/N rather than the
/// 1/N often quoted for the unwindowed transform: each half-frame is covered by two windows whose
/// squares sum to 1, where two rectangular windows would sum to 2.)
/// </summary>
/// <remarks>
/// Edges. Every sample must lie in the second half of one frame and the first half of the next,
/// so that two frames cover it. Encode therefore puts N zeros before the song and zero-pads its
/// end to a whole number of hops plus one more half-frame: L samples give
/// F = ⌈L/N⌉ + 1 frames over (F + 1)·N padded samples, sample i of the song sitting at padded
/// position N + i. Decode overlap-adds F frames into (F + 1)·N samples and drops the N leading
/// pad samples, returning F·N, whose first L are the song (the contract of <see cref="IFrameCodec"/>).
/// The last N of the F·N are covered by one frame only: for frames a model generated they are
/// still aliased, which a caller that wants whole hops may trim.
///
/// Algorithm. The sum is computed with one complex FFT of length 2N per frame, batched over the
/// whole song: with z_n = w_n x_n and n₀ = ½ + N/2,
/// X_k = Re[e^{-iπ n₀ (k+½)/N} · Σ_n (z_n e^{-iπ n/2N}) e^{-2πi nk/2N}],
/// and the inverse likewise with an inverse FFT of the zero-extended, pre-twiddled coefficients.
/// That costs O(N log N) per frame; a matmul with a precomputed [2N, N] cosine basis would be
/// exact too but costs O(N²) per frame and 64 MB of basis at N = 2048, which is seconds per song
/// on two cores instead of milliseconds. Twiddles are float64, as is the arithmetic.
/// </remarks>
public sealed class MdctCodec : IFrameCodec
{
    // Managed copies of the constant vectors: a codec holds no native memory, so it needs no
    // disposal and survives any dispose scope it was created in.
    private readonly double[] window;         // w_n, [2N]
    private readonly double[] preCos, preSin; // e^{-iπ n/2N}, [2N]
    private readonly double[] postCos, postSin; // e^{-iπ n₀ (k+½)/N}, [N]
    private readonly double[] inPreCos, inPreSin; // e^{+iπ n₀ k/N}, [N]
    private readonly double[] inPostCos, inPostSin; // e^{+iπ (n + n₀)/2N}, [2N]

    /// <param name="frameLength">N, the coefficients per frame and the hop; frames span 2N samples.</param>
    public MdctCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
        double n = frameLength;
        var n0 = 0.5 + n / 2;
        window = new double[2 * frameLength];
        preCos = new double[2 * frameLength];
        preSin = new double[2 * frameLength];
        inPostCos = new double[2 * frameLength];
        inPostSin = new double[2 * frameLength];
        for (var i = 0; i < 2 * frameLength; i++)
        {
            window[i] = Math.Sin(Math.PI * (i + 0.5) / (2 * n));
            preCos[i] = Math.Cos(-Math.PI * i / (2 * n));
            preSin[i] = Math.Sin(-Math.PI * i / (2 * n));
            inPostCos[i] = Math.Cos(Math.PI * (i + n0) / (2 * n));
            inPostSin[i] = Math.Sin(Math.PI * (i + n0) / (2 * n));
        }
        postCos = new double[frameLength];
        postSin = new double[frameLength];
        inPreCos = new double[frameLength];
        inPreSin = new double[frameLength];
        for (var k = 0; k < frameLength; k++)
        {
            postCos[k] = Math.Cos(-Math.PI * n0 * (k + 0.5) / n);
            postSin[k] = Math.Sin(-Math.PI * n0 * (k + 0.5) / n);
            inPreCos[k] = Math.Cos(Math.PI * n0 * k / n);
            inPreSin[k] = Math.Sin(Math.PI * n0 * k / n);
        }
    }

    public string Name => "mdct";

    public int FrameLength { get; }

    public int Hop => FrameLength;

    public int FeatureCount => FrameLength;

    /// <summary>⌈L/N⌉ + 1: the extra frame completes the overlap of the last half-frame (see remarks).</summary>
    public int FrameCount(int sampleCount) =>
        sampleCount <= 0 ? 0 : checked(BlockFraming.CeilFrames(sampleCount, FrameLength) + 1);

    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var n = FrameLength;
        var frames = FrameCount(samples.Length);
        using var scope = NewDisposeScope();
        if (frames == 0)
            return zeros(0, n, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
        // N zeros, the song, zeros up to (F + 1)·N; frame f is padded samples f·N .. f·N + 2N - 1.
        var padded = BlockFraming.Padded(samples, n, (frames + 1L) * n).to_type(ScalarType.Float64);
        var z = padded.unfold(0, 2 * n, n) * Vector(window);             // [F, 2N]
        var spectrum = fft.fft_(z * Complex(preCos, preSin), dim: 1);     // [F, 2N] complex128
        var coefficients = (spectrum.narrow(1, 0, n) * Complex(postCos, postSin)).real;  // [F, N]
        return coefficients.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        var n = FrameLength;
        using var scope = NewDisposeScope();
        var x = frames.to(ScalarType.Float64, CPU);
        var count = x.shape[0];
        if (count == 0)
            return [];
        // ifft with n = 2N zero-extends bins N..2N-1 and divides by 2N; the IMDCT's 2/N then
        // leaves a factor 4, applied together with the synthesis window.
        var inverse = fft.ifft(x * Complex(inPreCos, inPreSin), n: 2 * n, dim: 1);   // [F, 2N] complex128
        var y = (inverse * Complex(inPostCos, inPostSin)).real * (Vector(window) * 4.0);  // [F, 2N]
        // Overlap-add, leading pad dropped: hop f (0-based) of the output is the second half of
        // frame f plus the first half of frame f + 1 (absent for the last frame).
        var firstHalves = y.narrow(1, 0, n);
        var secondHalves = y.narrow(1, n, n);
        var nextFirstHalves = cat(new[] { firstHalves.narrow(0, 1, count - 1), zeros(1, n, dtype: ScalarType.Float64) }, dim: 0);
        return BlockFraming.ToSamples(secondHalves + nextFirstHalves);   // [F, N] → F·N
    }

    private static Tensor Vector(double[] values) => tensor(values);

    private static Tensor Complex(double[] re, double[] im) => complex(tensor(re), tensor(im));
}
