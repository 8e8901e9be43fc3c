using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Decodes a spectral codec's frames in windows of bounded size, as they arrive, so that ten
/// minutes of generated frames cost the memory of one window: the decoder of <c>stft</c> and
/// <c>mel</c> for <see cref="SpectralCodec.Decode"/>, <c>generate</c> and <c>transcode</c>
/// (docs/ARCHITECTURE.md, "Codecs").
/// </summary>
/// <remarks>
/// Windows. Frames are committed (made final) C at a time, C = max(2R, 2¹⁷/N) (128 frames, 1.5 s at
/// N = 1024, H = 256, 22050 Hz). The size is a measured compromise: at N = 1024 with one thread,
/// C = 64 … 128 decoded about 31–32× real time against 28× for C = 256 (a window's tensors then stay
/// in a core's cache), and with two threads C = 128 and 256 both about 51× against 44× for C = 96. A window holds, in order: the last R − 1 committed frames, frozen;
/// the C frames to commit; and a lookahead of 2R frames that are optimised but not committed. Fast
/// Griffin-Lim (<see cref="GriffinLim"/>) runs over the window; the C frames become final; the
/// lookahead frames start the next window with the phase they reached (the overlap's phase carried
/// into the next chunk's initial estimate), and the frames after them start from the phase advance
/// of the last one.
///
/// Seams. A hop of output lies in R consecutive frames. The R − 1 frozen frames are all the committed
/// frames that share samples with the window's free frames, so the overlap-add of the committed
/// frames across a seam is the same as within a window, and every emitted sample is the inverse
/// STFT of one global spectrogram of committed frames: there is no cross-fade and no jump, only the
/// question of whether the frames on both sides agree, which the frozen context makes the free
/// frames do. The lookahead keeps the last committed frames from being judged against a window edge:
/// measured on 20 s of real electronic music (N = 1024, H = 256, 32 iterations, C = 128), the spectral
/// convergence of the frames within 4 hops of a seam was 0.109 against 0.076 elsewhere with no
/// lookahead, and 0.065 against 0.075 with a lookahead of 2R (seams are then no worse: their frames
/// get more iterations); on the 3 s test excerpt with C = 32, 0.171 against 0.093 without and 0.082
/// against 0.093 with it. Windows cost nothing on real music (the excerpt: 0.0951 in windows of 128
/// frames, 0.0948 in one), but something on steady tones, whose phases Griffin-Lim settles slowly:
/// a 12 s chord measured 0.174 in windows of 128 or 256 frames against 0.134 in one window (its
/// log-spectral distance was lower in windows, 0.76 against 0.84 dB).
///
/// Determinism. Window boundaries depend only on the frames' indices, never on how the input was cut
/// into pushes, so a stream gives bit for bit what one decode of all the frames gives.
///
/// Memory. A window reads its frames where they were pushed; after each push fewer than C + 2R frames wait
/// (copied) and R − 1 are kept as context, plus R − 1 hops of overlap-add tail: <see cref="HeldFrames"/>,
/// which depends neither on the length decoded nor on the size of the pushes.
/// </remarks>
internal sealed class GriffinLimStream : IDecodingStream
{
    private readonly SpectralCodec _codec;
    private readonly GriffinLim _phase;
    private readonly int _commit;      // C
    private readonly int _lookahead;   // 2R
    private readonly int _context;     // R − 1
    private Tensor _pending;           // features of the frames left over from the last push, [P < C + 2R, FeatureCount] float32
    private Tensor? _estimates;        // phase directions reached for the first pending frames, [m, K] complex64
    private Tensor? _frozen;           // spectra of the last committed frames, [≤ R − 1, K] complex64
    private readonly float[] _tail;    // overlap-add partial sums of the R − 1 hops after the last complete one
    private long _committed;           // frames committed so far
    private bool _finished;

    /// <param name="codec">The codec whose frames are decoded.</param>
    /// <param name="commitFrames">C; null for the default (see remarks). Tests set it small to get many seams.</param>
    /// <param name="lookahead">Frames optimised past the committed ones; null for the default 2R.</param>
    public GriffinLimStream(SpectralCodec codec, int? commitFrames = null, int? lookahead = null)
    {
        _codec = codec;
        _phase = codec.GriffinLim;
        var overlap = codec.Overlap;
        _commit = commitFrames ?? Math.Max(2 * overlap, (1 << 17) / codec.FrameLength);
        _lookahead = lookahead ?? 2 * overlap;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_commit);
        ArgumentOutOfRangeException.ThrowIfNegative(_lookahead);
        _context = overlap - 1;
        _pending = zeros(0, codec.FeatureCount, dtype: ScalarType.Float32).DetachFromDisposeScope();
        _tail = new float[_context * codec.Hop];
    }

    public int HeldFrames => (int)_pending.shape[0] + (_frozen is null ? 0 : (int)_frozen.shape[0]);

    public float[] Push(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(_finished, this);
        BlockFraming.CheckFrames(frames, _codec.FeatureCount, _codec.Name);
        if (frames.shape[0] == 0) return [];
        using var scope = NewDisposeScope();
        var input = frames.detach().to(ScalarType.Float32, CPU);
        // Windows read the frames where they are (a whole song pushed at once is not copied); only the
        // frames left over, fewer than a window, are kept, copied, after the push.
        var source = _pending.shape[0] == 0 ? input : cat(new[] { _pending, input }, dim: 0);
        var output = new List<float[]>();
        long at = 0;
        while (source.shape[0] - at >= _commit + _lookahead)
        {
            output.Add(RunWindow(source.narrow(0, at, _commit + _lookahead), _commit));
            at += _commit;
        }
        ReplacePending(source.narrow(0, at, source.shape[0] - at).clone());
        return Joined(output);
    }

    public float[] Finish()
    {
        if (_finished) return [];
        _finished = true;
        var output = new List<float[]>();
        long at = 0;
        var total = _pending.shape[0];
        while (at < total)
        {
            var count = Math.Min(total - at, _commit + _lookahead);
            var last = at + count == total;
            output.Add(RunWindow(_pending.narrow(0, at, count), last ? (int)count : _commit));
            at += last ? count : _commit;
        }
        // The last R − 1 hops lie in fewer than R frames: they leave as the frames made them, fading out.
        output.Add(Hops(_tail, _committed - _context, _context));
        _pending.Dispose();
        _estimates?.Dispose();
        _frozen?.Dispose();
        return Joined(output);
    }

    /// <summary>Griffin-Lim over the frozen context and the window's <paramref name="features"/> [count, FeatureCount]; commits the first <paramref name="commit"/> frames and returns the hops they complete.</summary>
    private float[] RunWindow(Tensor features, int commit)
    {
        using var scope = NewDisposeScope();
        var count = (int)features.shape[0];
        var frozen = _frozen is null ? 0 : (int)_frozen.shape[0];
        var carried = _estimates is null ? 0 : (int)_estimates.shape[0];

        var magnitudes = cat(new[] { zeros(frozen, _codec.Bins), _codec.ToMagnitudes(features) }, dim: 0);
        var parts = new List<Tensor>();
        if (_frozen is not null) parts.Add(_frozen);
        if (_estimates is not null) parts.Add(_estimates);
        var last = _estimates is null ? null : _estimates[carried - 1];
        parts.Add(_phase.AdvancedPhases(last, count - carried));
        var (spectrum, direction) = _phase.Rebuild(magnitudes, cat(parts, dim: 0), frozen);

        // Overlap-add the committed spectra onto the tail; the first `commit` hops are then complete.
        var hops = _phase.Synthesise(spectrum.narrow(0, frozen, commit));   // [commit + R − 1, H]
        using var one = 1.0.ToScalar();
        var tail = tensor(_tail, new long[] { _context, _codec.Hop });
        hops.narrow(0, 0, _context).add_(tail, one);
        var flat = hops.contiguous().data<float>().ToArray();
        var complete = Hops(flat, _committed - _context, commit);
        Array.Copy(flat, commit * _codec.Hop, _tail, 0, _tail.Length);

        // Keep what the next window needs: the last R − 1 committed spectra and the lookahead's directions.
        var keptContext = Math.Min(_context, frozen + commit);
        Replace(ref _frozen, spectrum.narrow(0, frozen + commit - keptContext, keptContext).clone());
        Replace(ref _estimates, count > commit ? direction.narrow(0, frozen + commit, count - commit).clone() : null);
        _committed += commit;
        return complete;
    }

    /// <summary>The first <paramref name="count"/> hops of <paramref name="hops"/>, the first of which is hop <paramref name="first"/> of the song; hops before the song (the leading padding) are dropped.</summary>
    private float[] Hops(float[] hops, long first, int count)
    {
        var skip = (int)Math.Clamp(-first, 0, count);
        return hops.AsSpan(skip * _codec.Hop, (count - skip) * _codec.Hop).ToArray();
    }

    private void ReplacePending(Tensor value)
    {
        value.DetachFromDisposeScope();
        _pending.Dispose();
        _pending = value;
    }

    private static void Replace(ref Tensor? field, Tensor? value)
    {
        value?.DetachFromDisposeScope();
        field?.Dispose();
        field = value;
    }

    private static float[] Joined(List<float[]> parts) =>
        parts.Count == 1 ? parts[0] : parts.SelectMany(p => p).ToArray();
}
