using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Fast Griffin-Lim (Perraudin, Balazs &amp; Søndergaard 2013, "A fast Griffin-Lim algorithm",
/// WASPAA): finds a spectrogram that is the STFT of a signal and has given magnitudes, for one
/// window of frames of the spectral codecs' layout (docs/ARCHITECTURE.md, "Codecs").
/// </summary>
/// <remarks>
/// Two sets: C₁, the consistent spectrograms (those that are the STFT G x of some signal x), and
/// C₂, those with the target magnitudes A. Their projections are P_C₁(X) = G G†X, with G† the
/// least-squares inverse STFT, and P_C₂(X) = A ⊙ X/|X|. Griffin and Lim (1984) alternate them;
/// the fast version adds momentum α (0.99 here, as the paper and librosa use):
/// t_n = P_C₁(P_C₂(c_{n−1})),  c_n = t_n + α (t_n − t_{n−1}),  t_0 = 0,
/// and the result is P_C₂(c_n), whose inverse STFT is the signal. Iterations are
/// <c>--phase-iters</c> (32 by default, as librosa and torchaudio).
///
/// G† for the periodic Hann window w with hop H = N/R: the signal is Σ_f w̃(t − fH) irfft(X_f)(t − fH)
/// with the dual window w̃_n = w_n / E(n mod H), E(t) = Σ_r w²(t + rH), so that every sample covered by
/// R frames is the least-squares solution exactly. At a window's edges, where fewer than R frames
/// reach, the same w̃ is used: frames beyond the edges count as zero, so the signal fades there
/// instead of being divided by a vanishing window sum. Overlap-add sums the R hop-long segments of
/// each frame into the hops they cover; the STFT is a strided view of that signal, windowed, then
/// one batched rfft. Everything is float32: the algorithm's own error (a spectral convergence of
/// several percent) is far above float32 rounding.
///
/// A window may start with frozen frames: spectra already final (committed by an earlier window).
/// They take part in every projection, so the free frames become consistent with them, but are
/// reset to their values after each step, which makes a window's free frames continue the signal
/// already emitted without a seam (see <see cref="GriffinLimStream"/>).
///
/// Initial phase of a free frame with no estimate: the phase advance of a steady sinusoid at each
/// bin's centre frequency, φ_f(k) = φ_{f−1}(k) + 2π k H/N (zero phase at frame 0). Measured on 3 s of
/// real electronic music at N = 1024, H = 256, 32 iterations, it reached a spectral convergence of
/// 0.095 against 0.100 from zero phase and 0.113 from seeded random phases, and it is deterministic.
/// </remarks>
public sealed class GriffinLim
{
    /// <summary>The momentum α of the fast algorithm.</summary>
    public const double Momentum = 0.99;

    private readonly float[] _window;      // w_n, [N]
    private readonly float[] _synthesis;   // w̃_n, [N]
    private readonly float[] _advance;     // e^{2πi k (m H mod N)/N} for m = 0 … R−1, [R, K, (re, im)]

    /// <param name="frameLength">N.</param>
    /// <param name="hop">H, dividing N at least twice.</param>
    /// <param name="iterations">Fast Griffin-Lim iterations (0 keeps the initial estimate).</param>
    public GriffinLim(int frameLength, int hop, int iterations)
    {
        if (SpectralCodec.HopProblem(frameLength, hop) is { } problem) throw new ArgumentOutOfRangeException(nameof(hop), problem);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        FrameLength = frameLength;
        Hop = hop;
        Iterations = iterations;
        var overlap = frameLength / hop;
        var window = new double[frameLength];
        for (var n = 0; n < frameLength; n++) window[n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / frameLength));
        _window = window.Select(v => (float)v).ToArray();
        _synthesis = new float[frameLength];
        for (var n = 0; n < frameLength; n++)
        {
            double energy = 0;
            for (var r = 0; r < overlap; r++)
            {
                var w = window[(n % hop) + (r * hop)];
                energy += w * w;
            }
            _synthesis[n] = (float)(window[n] / energy);
        }
        var bins = (frameLength / 2) + 1;
        _advance = new float[overlap * bins * 2];
        for (var m = 0; m < overlap; m++)
            for (var k = 0; k < bins; k++)
            {
                // k·m·H mod N in integers: the phase is exact however far the frames run.
                var angle = 2 * Math.PI * ((long)k * m * hop % frameLength) / frameLength;
                _advance[(((m * bins) + k) * 2) + 0] = (float)Math.Cos(angle);
                _advance[(((m * bins) + k) * 2) + 1] = (float)Math.Sin(angle);
            }
    }

    /// <summary>N.</summary>
    public int FrameLength { get; }

    /// <summary>H.</summary>
    public int Hop { get; }

    /// <summary>R = N/H.</summary>
    public int Overlap => FrameLength / Hop;

    /// <summary>N/2 + 1.</summary>
    public int Bins => (FrameLength / 2) + 1;

    /// <summary>Iterations per window.</summary>
    public int Iterations { get; }

    /// <summary>
    /// Rebuilds the phase of one window. <paramref name="magnitudes"/> [W, K] float32 are the targets
    /// A; <paramref name="initial"/> [W, K] complex64 gives the first <paramref name="frozen"/> rows'
    /// final spectra and the other rows' initial phase (their magnitude is ignored). Returns the
    /// spectrogram P_C₂(c_n) (frozen rows as given) and the last iterate c_n, whose phase is the best
    /// estimate to start a later window from.
    /// </summary>
    public (Tensor Spectrum, Tensor Direction) Rebuild(Tensor magnitudes, Tensor initial, int frozen)
    {
        ArgumentNullException.ThrowIfNull(magnitudes);
        ArgumentNullException.ThrowIfNull(initial);
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar();
        using var tiny = 1e-30.ToScalar();   // |c|² floor: a zero estimate stays zero instead of dividing by 0
        var window = tensor(_window);
        var synthesis = tensor(_synthesis);
        var weight = tensor((float)(1 + Momentum));
        var fixedRows = frozen > 0 ? initial.narrow(0, 0, frozen) : null;

        Tensor Project(Tensor direction)   // P_C₂, then the frozen rows put back
        {
            // A/|c| from the squares of the interleaved (re, im) pairs: squaring the contiguous pairs first and then
            // adding the two strided halves is cheaper than squaring the strided halves, and far cheaper than abs().
            var parts = view_as_real(direction);
            var squares = parts.mul(parts);
            var scale = squares.select(2, 0).add(squares.select(2, 1), one).add_(tiny, one).rsqrt_().mul_(magnitudes);
            var projected = direction.mul(scale);
            if (fixedRows is not null) projected.narrow(0, 0, frozen).copy_(fixedRows);
            return projected;
        }

        var spectrum = Project(initial);   // P_C₂(c_n), what the next step synthesises
        var current = initial;             // c_n
        Tensor? previous = null;           // t_n
        for (var i = 0; i < Iterations; i++)
        {
            Tensor consistent, next, projected;
            using (NewDisposeScope())
            {
                consistent = Analyse(OverlapAdd(Synthesise(spectrum, synthesis), one), window);
                // c = t + α(t − t_prev) = t_prev + (1 + α)(t − t_prev); with t_0 = 0 the first c is (1 + α) t_1, of t_1's phase.
                next = previous is null ? consistent : view_as_complex(view_as_real(previous).lerp(view_as_real(consistent), weight));
                projected = Project(next);
                consistent.MoveToOuterDisposeScope();
                next.MoveToOuterDisposeScope();
                projected.MoveToOuterDisposeScope();
            }
            // Only t, c and P_C₂(c) of the latest step live on: a window's memory does not grow with the iterations.
            var (oldSpectrum, oldPrevious, oldCurrent) = (spectrum, previous, current);
            (spectrum, previous, current) = (projected, consistent, next);
            oldSpectrum.Dispose();
            oldPrevious?.Dispose();   // the first c was t_1 itself: disposing twice is harmless
            if (!ReferenceEquals(oldCurrent, initial)) oldCurrent.Dispose();
        }
        var direction = ReferenceEquals(current, initial) ? current.clone() : current;
        return (spectrum.MoveToOuterDisposeScope(), direction.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The signal of spectra [W, K] (inverse STFT through the dual window, frames beyond the ends taken as zero) as hops
    /// [W + R − 1, H]: row j holds samples [jH, jH + H) counted from the first frame's start, so rows R − 1 … W − 1 lie
    /// in R frames each and the first and last R − 1 rows in fewer.
    /// </summary>
    public Tensor Synthesise(Tensor spectrum)
    {
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar();
        return OverlapAdd(Synthesise(spectrum, tensor(_synthesis)), one).MoveToOuterDisposeScope();
    }

    /// <summary>Unit phases for <paramref name="count"/> frames that follow a frame of phase direction <paramref name="last"/> [K] (null: frames 0 … count − 1 of a signal), [count, K] complex64.</summary>
    public Tensor AdvancedPhases(Tensor? last, int count)
    {
        using var scope = NewDisposeScope();
        var table = view_as_complex(tensor(_advance, new long[] { Overlap, Bins, 2 }));
        var start = last is null ? 0 : 1;
        var steps = tensor(Enumerable.Range(start, count).Select(m => (long)(m % Overlap)).ToArray());
        var phases = table.index_select(0, steps);
        if (last is null) return phases.MoveToOuterDisposeScope();
        // e^{iφ_last}: the estimate's direction made unit, a zero estimate taken as phase 0.
        using var zero = 0.0.ToScalar();
        using var floor = 1e-30.ToScalar();
        var magnitude = last.abs();
        var unit = where(magnitude.gt(zero), last.div(magnitude.clamp_min(floor)), ones_like(last));
        return phases.mul(unit.unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>irfft of each frame times the dual window: [W, N] frames ready to overlap-add.</summary>
    private Tensor Synthesise(Tensor spectrum, Tensor synthesis) =>
        fft.irfft(spectrum, n: FrameLength, dim: 1).mul_(synthesis);

    /// <summary>Overlap-adds frames [W, N] into hops [W + R − 1, H]: segment s of frame f lands in hop f + s.</summary>
    private Tensor OverlapAdd(Tensor frames, Scalar one)
    {
        var count = frames.shape[0];
        var segments = frames.view(count, Overlap, Hop);
        var hops = zeros(count + Overlap - 1, Hop, dtype: frames.dtype);
        for (var s = 0; s < Overlap; s++)
            hops.narrow(0, s, count).add_(segments.select(1, s), one);
        return hops;
    }

    /// <summary>The STFT of hops [W + R − 1, H]: frame f is hops f … f + R − 1, windowed; [W, K] complex64.</summary>
    private Tensor Analyse(Tensor hops, Tensor window) =>
        fft.rfft(hops.view(-1).unfold(0, FrameLength, Hop).mul(window), dim: 1);
}
