using TorchSharp;
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
/// Algorithm. Both directions are one batched FFT over the whole song. With z_n = w_n x_n and
/// n₀ = ½ + N/2, the cosine's argument is 2π (n + n₀)(2k + 1)/4N, so X_k is read off the odd bins
/// of a real FFT of length 4N (z zero-extended):
/// X_k = Re[e^{-iπ n₀ (k+½)/N} · R_{2k+1}],  R_m = Σ_n z_n e^{-2πi nm/4N}.
/// The inverse is an inverse complex FFT of length 2N of the coefficients twiddled by
/// e^{iπ n₀ k/N}, zero-extended, then twiddled by e^{iπ (n + n₀)/2N}. Twiddles are applied as
/// real products (cos·Re ± sin·Im), which is cheaper than complex ones. That costs O(N log N) per
/// frame; a matmul with a precomputed [2N, N] cosine basis would be exact too, but costs O(N²) per
/// frame and 64 MB of float64 basis at N = 2048: seconds per song on two cores instead of a
/// fraction of one. Twiddles are float64, as is the arithmetic.
/// </remarks>
public sealed class MdctCodec : IFrameCodec
{
    // Constant vectors kept as managed arrays and turned into tensors per call (a few kB): a codec
    // then holds no native memory, needs no disposal, and survives any dispose scope.
    private readonly double[] window;                   // w_n, [2N]
    private readonly double[] analysisCos, analysisSin; // cos, sin of π n₀ (k+½)/N, [N]
    private readonly double[] preCos, preSin;           // cos, sin of π n₀ k/N, [N]
    private readonly double[] synthesisCos, synthesisSin; // 4·w_n·cos, sin of π (n + n₀)/2N, [2N]

    /// <param name="frameLength">N, the coefficients per frame and the hop; frames span 2N samples.</param>
    public MdctCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
        double n = frameLength;
        var n0 = 0.5 + n / 2;
        window = new double[2 * frameLength];
        synthesisCos = new double[2 * frameLength];
        synthesisSin = new double[2 * frameLength];
        for (var i = 0; i < 2 * frameLength; i++)
        {
            window[i] = Math.Sin(Math.PI * (i + 0.5) / (2 * n));
            // ifft divides by 2N where the IMDCT wants 2/N: the leftover factor 4 rides on the
            // synthesis window.
            synthesisCos[i] = 4 * window[i] * Math.Cos(Math.PI * (i + n0) / (2 * n));
            synthesisSin[i] = 4 * window[i] * Math.Sin(Math.PI * (i + n0) / (2 * n));
        }
        analysisCos = new double[frameLength];
        analysisSin = new double[frameLength];
        preCos = new double[frameLength];
        preSin = new double[frameLength];
        for (var k = 0; k < frameLength; k++)
        {
            analysisCos[k] = Math.Cos(Math.PI * n0 * (k + 0.5) / n);
            analysisSin[k] = Math.Sin(Math.PI * n0 * (k + 0.5) / n);
            preCos[k] = Math.Cos(Math.PI * n0 * k / n);
            preSin[k] = Math.Sin(Math.PI * n0 * k / n);
        }
    }

    public string Name => "mdct";

    public bool IsExact => true;

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
        if (frames == 0)   // MKL's FFT refuses an empty batch
            return zeros(0, n, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
        // N zeros, the song, zeros up to (F + 1)·N; frame f is padded samples f·N .. f·N + 2N - 1.
        var padded = BlockFraming.Padded(samples, n, (frames + 1L) * n).to_type(ScalarType.Float64);
        var z = padded.unfold(0, 2 * n, n) * tensor(window);            // [F, 2N]
        var odd = fft.rfft(z, n: 4 * n, dim: 1).slice(1, 1, 2 * n, 2);  // [F, 2N+1] → bins 1, 3, …, 2N-1: [F, N]
        // Re[(cos φ − i sin φ)(a + ib)] = a cos φ + b sin φ.
        using var one = 1.ToScalar();
        var coefficients = (odd.real * tensor(analysisCos)).add(odd.imag * tensor(analysisSin), one);   // [F, N]
        return coefficients.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        var n = FrameLength;
        if (frames.shape[0] == 0)   // MKL's FFT refuses an empty batch
            return [];
        using var scope = NewDisposeScope();
        var x = frames.detach().to(ScalarType.Float64, CPU);
        var count = x.shape[0];
        var twiddled = complex(x * tensor(preCos), x * tensor(preSin));     // [F, N] complex128
        var inverse = fft.ifft(twiddled, n: 2 * n, dim: 1);                  // zero-extended: [F, 2N]
        // Re[(cos ψ + i sin ψ)(a + ib)] = a cos ψ − b sin ψ, window and scale folded in.
        var y = inverse.real * tensor(synthesisCos) - inverse.imag * tensor(synthesisSin);   // [F, 2N]
        // Overlap-add, leading pad dropped: hop f (0-based) of the output is the second half of
        // frame f plus the first half of frame f + 1 (absent for the last frame).
        var firstHalves = y.narrow(1, 0, n);
        var secondHalves = y.narrow(1, n, n);
        var nextFirstHalves = cat(new[] { firstHalves.narrow(0, 1, count - 1), zeros(1, n, dtype: ScalarType.Float64) }, dim: 0);
        using var one = 1.ToScalar();
        return BlockFraming.ToSamples(secondHalves.add(nextFirstHalves, one));   // [F, N] → F·N
    }
}
